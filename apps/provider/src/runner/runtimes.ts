import { type DockerEngine, type RunOptions, type RunResult, runInDocker, runSandboxed } from "@plasma/runtime";
import type { JobSpec } from "@plasma/sdk";

export type RuntimeName = JobSpec["runtime"];

/** Label on every container the node starts, so that it can find them again after a crash. */
export const LEASE_LABEL = "dev.plasma.lease";

/** The runtimes this node offers, and how to run a job in the one its spec names. */
export type JobRuntimes = {
  names: RuntimeName[];
  run(leaseId: string, spec: JobSpec, options: RunOptions): Promise<RunResult>;
  /** Removes what a job left running when the node died (containers outlive their node; sandboxes do not). */
  removeLeftovers(leaseId: string): Promise<void>;
};

export function createJobRuntimes(p: { names: RuntimeName[]; docker?: DockerEngine | undefined }): JobRuntimes {
  return {
    names: p.names,
    run(leaseId, spec, options) {
      if (spec.runtime === "sandbox") return runSandboxed(options);
      if (!p.docker) throw new Error("this node has no Docker engine");
      // The spec schema requires an image for docker.
      return runInDocker({ ...options, image: spec.image ?? "", docker: p.docker, labels: { [LEASE_LABEL]: leaseId } });
    },
    async removeLeftovers(leaseId) {
      if (!p.docker) return;
      const left = await p.docker.listContainers({ all: true, filters: { label: [`${LEASE_LABEL}=${leaseId}`] } });
      await Promise.all(left.map((c) => p.docker?.getContainer(c.Id).remove({ force: true })));
    },
  };
}
