import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { type ManifestEntry, resultEntries, resultHash } from "@plasma/runtime";
import {
  downloadOutput,
  getLease,
  getOutputManifest,
  getProvider,
  type Lease,
  type PlasmaClient,
  PlasmaError,
  type ProviderApi,
  resultCommitment,
} from "@plasma/sdk";
import type { Hex } from "viem";

/** The lease's provider publishes no endpoint: its job cannot be reached. */
export class NoProviderEndpointError extends PlasmaError {
  override name = "NoProviderEndpointError";
}

/** Where a lease's job lives: its provider's API, for requests signed by `client`. */
export async function providerApiFor(
  client: PlasmaClient,
  leaseOrId: bigint | Lease,
): Promise<{ api: ProviderApi; lease: Lease }> {
  const lease = typeof leaseOrId === "bigint" ? await getLease(client, leaseOrId) : leaseOrId;
  const provider = await getProvider(client, lease.provider);
  if (!provider.endpoint) throw new NoProviderEndpointError(`The provider of lease ${lease.id} publishes no endpoint.`);
  return { api: { client, endpoint: provider.endpoint, leaseId: lease.id }, lease };
}

/** Results do not match what the provider committed on chain. */
export class ResultMismatchError extends PlasmaError {
  override name = "ResultMismatchError";
}

/**
 * Downloads a lease's outputs into `dir` and checks them: the manifest must be what the lease committed on
 * chain (for a completed verified lease: it opens the commitment with the salt, the one given or else the
 * one the provider serves), and every file its manifest entry. `resultOnly` leaves out the node's report.
 */
export async function downloadVerifiedResults(
  api: ProviderApi,
  lease: Lease,
  dir: string,
  options: { salt?: Hex | null; resultOnly?: boolean } = {},
): Promise<ManifestEntry[]> {
  if (!lease.resultHash) {
    throw new PlasmaError(
      `Lease ${lease.id} has no result on chain (${lease.status}${lease.endReason !== "none" ? `, ${lease.endReason}` : ""}).`,
      {
        metaMessages: lease.status === "running" ? [`Wait for the job to end: plasma logs ${lease.id}`] : [],
      },
    );
  }
  const { outputs: manifest, salt: served } = await getOutputManifest(api);
  // The node's report (.plasma/: logs, exit status) is checked file by file below but is not part of the result.
  const hash = resultHash(manifest);
  // A verified lease that ended with a result (completed, or timed out) commits to the manifest hash with a salt,
  // so that validators cannot copy it; a lease that ended otherwise is never verified and records the plain hash.
  const salted = lease.verification !== "none" && (lease.endReason === "completed" || lease.endReason === "timed-out");
  const salt = options.salt ?? served;
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
  const entries = options.resultOnly ? resultEntries(manifest) : manifest;
  const root = resolve(dir);
  for (const entry of entries) {
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
  writeFileSync(join(root, "manifest.json"), `${JSON.stringify(entries, null, 2)}\n`);
  return entries;
}
