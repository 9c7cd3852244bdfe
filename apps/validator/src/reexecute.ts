import { createHash } from "node:crypto";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve, sep } from "node:path";
import {
  buildManifest,
  type DockerEngine,
  type ManifestEntry,
  type RunResult,
  resultEntries,
  resultHash,
  runInDocker,
  runSandboxed,
} from "@plasma/runtime";
import {
  downloadInput,
  downloadOutput,
  getJobSpec,
  getLease,
  getOutputManifest,
  getProvider,
  hashJobSpec,
  type JobSpec,
  type Lease,
  type PlasmaClient,
  PlasmaError,
  type ProviderApi,
  resultCommitment,
} from "@plasma/sdk";
import type { Hex } from "viem";

/** The provider did not give the validator what it needs to re-run the job: a point against the provider. */
export class ReexecutionError extends PlasmaError {
  override name = "ReexecutionError";
}

/** Where a lease's job can be fetched from: its provider's API, signed by the validator. */
export async function providerApiFor(client: PlasmaClient, lease: Lease): Promise<ProviderApi> {
  const provider = await getProvider(client, lease.provider);
  if (!provider.endpoint) throw new ReexecutionError(`The provider of lease ${lease.id} publishes no endpoint.`);
  return { client, endpoint: provider.endpoint, leaseId: lease.id };
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
  const api = await providerApiFor(p.client, lease);
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
 * Fetches the provider's outputs of a lease into `dir`, checking that its manifest is what the lease
 * committed on chain (for a verified lease: opens the commitment with the salt, the one revealed on chain
 * or else the one the provider serves) and each file its manifest entry.
 */
export async function fetchProviderOutputs(
  client: PlasmaClient,
  lease: Lease,
  salt: Hex | null,
  dir: string,
): Promise<ManifestEntry[]> {
  const api = await providerApiFor(client, lease);
  const { outputs, salt: served } = await getOutputManifest(api);
  const hash = resultHash(outputs);
  const key = salt ?? served;
  const committed = lease.verification === "none" ? hash : key ? resultCommitment(lease.id, hash, key) : null;
  if (committed !== lease.resultHash) {
    throw new ReexecutionError(`The provider's outputs of lease ${lease.id} do not open its on-chain commitment.`);
  }
  const root = resolve(dir);
  rmSync(root, { recursive: true, force: true });
  const entries = resultEntries(outputs);
  for (const entry of entries) {
    const bytes = await downloadOutput(api, entry.path);
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    if (sha256 !== entry.sha256) throw new ReexecutionError(`${entry.path} has sha256 ${sha256}, not ${entry.sha256}.`);
    const target = resolve(root, entry.path);
    if (!target.startsWith(root + sep)) throw new ReexecutionError(`The output path ${entry.path} leaves its folder.`);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, bytes);
  }
  return entries;
}
