import { createHash } from "node:crypto";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import {
  buildManifest,
  type DockerEngine,
  type ManifestEntry,
  type RunResult,
  resultHash,
  runInDocker,
  runSandboxed,
} from "@plasma/runtime";
import {
  downloadInput,
  getJobSpec,
  getLease,
  hashJobSpec,
  type JobSpec,
  type Lease,
  type PlasmaClient,
  PlasmaError,
} from "@plasma/sdk";
import { downloadVerifiedResults, providerApiFor } from "@plasma/verify";
import type { Hex } from "viem";

/** The provider did not give the validator what it needs to re-run the job: a point against the provider. */
export class ReexecutionError extends PlasmaError {
  override name = "ReexecutionError";
}

/** A re-execution's outcome: the validator's own outputs and their result hash. */
export type Reexecution = {
  spec: JobSpec;
  workDir: string;
  manifest: ManifestEntry[];
  resultHash: Hex;
  run: RunResult;
};

/**
 * Re-runs a lease's job as its provider ran it: the spec the client committed to (its hash must match the
 * lease), the inputs it names (each sha256 checked), the same runtime, then the same manifest rules.
 */
export async function reexecuteLease(p: {
  client: PlasmaClient;
  leaseId: bigint;
  workRoot: string;
  memoryBytes: number;
  gpus: number[];
  docker?: DockerEngine | undefined;
  log?: (line: string) => void;
}): Promise<Reexecution> {
  const lease = await getLease(p.client, p.leaseId);
  const { api } = await providerApiFor(p.client, lease);
  const spec = await getJobSpec(api);
  if (hashJobSpec(spec) !== lease.specHash) {
    throw new ReexecutionError(
      `The provider served a spec for lease ${lease.id} whose hash ${hashJobSpec(spec)} is not the lease's ${lease.specHash}.`,
    );
  }
  const workDir = resolve(p.workRoot, `lease-${lease.id}`, "work");
  rmSync(dirname(workDir), { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  for (const input of spec.inputs) {
    const bytes = await downloadInput(api, input.path);
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    if (sha256 !== input.sha256) {
      throw new ReexecutionError(
        `Input ${input.path} of lease ${lease.id} has sha256 ${sha256}, not the spec's ${input.sha256}.`,
      );
    }
    const target = join(workDir, input.path); // the spec schema keeps input paths inside the work directory
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, bytes);
  }
  const gpus = p.gpus.slice(0, spec.resources.gpus);
  p.log?.(`lease ${lease.id}: re-running ${spec.command.join(" ")} in ${spec.runtime}`);
  const options = {
    workDir,
    command: spec.command,
    env: spec.env,
    network: spec.network,
    gpus,
    timeoutSeconds: spec.timeoutSeconds,
    memoryBytes: spec.resources.memoryGb ? Math.floor(spec.resources.memoryGb * 1024 ** 3) : p.memoryBytes,
  };
  let run: RunResult;
  if (spec.runtime === "docker") {
    if (!p.docker) throw new PlasmaError(`Lease ${lease.id} runs in docker, and this validator has no Docker engine.`);
    run = await runInDocker({ ...options, image: spec.image ?? "", docker: p.docker, labels: {} });
  } else {
    run = await runSandboxed(options);
  }
  const manifest = await buildManifest(workDir, spec.outputs);
  return { spec, workDir, manifest, resultHash: resultHash(manifest), run };
}

/**
 * Fetches the provider's result files of a lease into a fresh `dir` (tolerance mode compares them), checked
 * against the on-chain commitment with `salt` (the one revealed on chain, or null for the one served).
 */
export async function fetchProviderOutputs(
  client: PlasmaClient,
  lease: Lease,
  salt: Hex | null,
  dir: string,
): Promise<ManifestEntry[]> {
  const { api } = await providerApiFor(client, lease);
  rmSync(dir, { recursive: true, force: true });
  return downloadVerifiedResults(api, lease, dir, { salt, resultOnly: true });
}
