import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import {
  buildManifest,
  createWorkArea,
  type DockerEngine,
  type ManifestEntry,
  type RunResult,
  removeWorkArea,
  resultHash,
  runInDocker,
  runSandboxed,
  type WorkArea,
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
  /** The outputs, copied out of the job's work area (which is gone): the manifest's files at their paths. */
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
  /** Size of the work area of a job whose spec names none. */
  diskBytes: number;
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
  const leaseDir = resolve(p.workRoot, `lease-${lease.id}`);
  removeWorkArea(leaseDir);
  rmSync(leaseDir, { recursive: true, force: true });
  mkdirSync(leaseDir, { recursive: true });
  // The same limits as the provider's: a job that escapes or floods one escapes or floods neither.
  const area = createWorkArea(
    leaseDir,
    spec.resources.diskGb ? Math.floor(spec.resources.diskGb * 1024 ** 3) : p.diskBytes,
  );
  try {
    return await runInWorkArea(p, lease, spec, api, area.path, leaseDir, area);
  } finally {
    area.remove();
  }
}

async function runInWorkArea(
  p: Parameters<typeof reexecuteLease>[0],
  lease: Lease,
  spec: JobSpec,
  api: Awaited<ReturnType<typeof providerApiFor>>["api"],
  workDir: string,
  leaseDir: string,
  workArea: WorkArea,
): Promise<Reexecution> {
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
    workArea,
    command: spec.command,
    env: spec.env,
    network: spec.network,
    gpus,
    // No longer than the provider could have run it: the lease bounds the job as the spec does.
    timeoutSeconds: Math.max(1, Math.min(spec.timeoutSeconds, lease.maxSeconds)),
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
  const outputs = join(leaseDir, "outputs");
  for (const entry of manifest) {
    mkdirSync(dirname(join(outputs, entry.path)), { recursive: true });
    copyFileSync(join(workDir, entry.path), join(outputs, entry.path));
  }
  mkdirSync(outputs, { recursive: true });
  return { spec, workDir: outputs, manifest, resultHash: resultHash(manifest), run };
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
