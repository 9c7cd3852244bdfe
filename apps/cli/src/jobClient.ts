import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { resultHash } from "@plasma/runtime";
import {
  downloadOutput,
  END_REASON_TEXT,
  getLease,
  getOutputManifest,
  getProvider,
  type Lease,
  type OutputEntry,
  type PlasmaClient,
  PlasmaError,
  type ProviderApi,
  resultCommitment,
} from "@plasma/sdk";

/** The provider API of a lease: its provider's endpoint, used with the client's key. */
export async function providerApiFor(
  client: PlasmaClient,
  leaseId: bigint,
): Promise<{ api: ProviderApi; lease: Lease }> {
  const lease = await getLease(client, leaseId);
  const provider = await getProvider(client, lease.provider);
  if (!provider.endpoint) throw new PlasmaError(`The provider of lease ${leaseId} publishes no endpoint.`);
  return { api: { client, endpoint: provider.endpoint, leaseId }, lease };
}

/** Results do not match what the provider committed on chain. */
export class ResultMismatchError extends PlasmaError {
  override name = "ResultMismatchError";
}

/**
 * Downloads a lease's outputs into `dir` and checks them: the manifest's hash must be the lease's
 * on-chain resultHash, and every file's sha256 must be the manifest's.
 */
export async function downloadVerifiedResults(api: ProviderApi, lease: Lease, dir: string): Promise<OutputEntry[]> {
  if (!lease.resultHash) {
    throw new PlasmaError(
      `Lease ${lease.id} has no result on chain (${lease.status}${lease.endReason !== "none" ? `, ${lease.endReason}` : ""}).`,
      {
        metaMessages: lease.status === "running" ? ["Wait for the job to end: `plasma logs LEASE`."] : [],
      },
    );
  }
  const { outputs: manifest, salt } = await getOutputManifest(api);
  // The node's report (.plasma/: logs, exit status) is checked file by file below but is not part of the result.
  const hash = resultHash(manifest);
  // A completed verified lease commits to the manifest hash with a salt, so that validators cannot copy it;
  // a lease that ended otherwise is never verified and records the plain hash.
  const salted = lease.verification !== "none" && lease.endReason === "completed";
  const committed = !salted ? hash : salt ? resultCommitment(lease.id, hash, salt) : null;
  if (committed !== lease.resultHash) {
    throw new ResultMismatchError(
      committed === null
        ? `The provider gave no salt to open the result commitment ${lease.resultHash} of verified lease ${lease.id}.`
        : `The provider's output manifest hashes to ${hash}, which does not match what the lease committed on chain (${lease.resultHash}).`,
      {
        metaMessages: ["The results cannot be trusted; nothing was saved."],
      },
    );
  }
  const root = resolve(dir);
  for (const entry of manifest) {
    const bytes = await downloadOutput(api, entry.path);
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    if (sha256 !== entry.sha256 || bytes.length !== entry.size) {
      throw new ResultMismatchError(`${entry.path} has sha256 ${sha256}, not the manifest's ${entry.sha256}.`);
    }
    const target = resolve(root, entry.path);
    if (!target.startsWith(`${root}/`))
      throw new ResultMismatchError(`The output path ${entry.path} leaves the results folder.`);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, bytes);
  }
  writeFileSync(join(root, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** The last lines of a job's log, from its results (or empty). */
export function lastLogLines(dir: string, count = 10): string[] {
  const file = join(dir, ".plasma", "logs.txt");
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8").trimEnd().split("\n").slice(-count);
}

/** A sentence on how a lease ended, for people. */
export function describeLeaseEnd(lease: Lease): string {
  return lease.endReason === "none" ? lease.status : `${lease.endReason}: ${END_REASON_TEXT[lease.endReason]}`;
}
