import { createHash, randomBytes } from "node:crypto";
import {
  getHardwareCheckState,
  getOffer,
  getProvider,
  openHardwareChallenge,
  type PlasmaClient,
  postHardwareChallenge,
  reportHardwareCheck,
} from "@plasma/sdk";
import { type ChallengeOptions, checkResponseAsync, createChallenge, type HardwareVerdict } from "@plasma/verify";
import type { Address, Hex } from "viem";

/** A finished hardware check: the verdict, and the transaction that reported it (if reported). */
export type HardwareCheckResult = { offerId: bigint; verdict: HardwareVerdict; reportHash: Hex; tx: Hex | null };

/** The offer's open check is not assigned to this validator: only the drawn validator may report it. */
export class HardwareCheckNotAssignedError extends Error {
  override name = "HardwareCheckNotAssignedError";
  constructor(offerId: bigint, me: Address, assigned: Address | null) {
    super(
      assigned
        ? `${me} is not the validator assigned to check offer ${offerId} (${assigned} is). Only the drawn validator may report.`
        : `Offer ${offerId} has no check assigned to a validator. Request one (plasma validator request-check ${offerId}); a validator is drawn from the next block.`,
    );
  }
}

/**
 * Challenges an offer's hardware: sends a fresh seeded workload sized for its claimed class, times the
 * commitment itself, opens random rows with a nonce sent only then, recomputes them on the CPU, and
 * reports the verdict through the hardware-check contract (an offer that fails is hidden from listings by
 * default). Only the validator drawn for the offer's open check may report; anyone else is refused before
 * the provider is contacted. With `report: false` it only prints the verdict (any staked validator).
 */
export async function runHardwareCheck(
  client: PlasmaClient,
  offerId: bigint,
  options: { report?: boolean; challenge?: ChallengeOptions } = {},
): Promise<HardwareCheckResult> {
  const me = client.account?.address as Address;
  if (options.report !== false) {
    const check = await getHardwareCheckState(client, offerId);
    const assigned = check.stage === "assigned" ? check.validator : null;
    if (assigned?.toLowerCase() !== me?.toLowerCase()) throw new HardwareCheckNotAssignedError(offerId, me, assigned);
  }
  const offer = await getOffer(client, offerId);
  const provider = await getProvider(client, offer.provider);
  const api = { client, endpoint: provider.endpoint, leaseId: 0n };
  const challenge = createChallenge(
    { gpuModel: offer.gpuModel, gpuCount: offer.gpuCount, vramGb: offer.vramGb },
    randomBytes,
    options.challenge,
  );
  const started = performance.now();
  const committed = await postHardwareChallenge(api, offer.provider, challenge);
  const elapsedMs = performance.now() - started;
  const nonce = `0x${randomBytes(32).toString("hex")}`;
  const rows = await openHardwareChallenge(api, offer.provider, challenge.id, nonce);
  const verdict = await checkResponseAsync(challenge, committed.root, nonce, rows, elapsedMs);
  const report = { offerId: offerId.toString(), challenge, root: committed.root, nonce, elapsedMs, verdict };
  const reportHash = `0x${createHash("sha256").update(JSON.stringify(report)).digest("hex")}` as Hex;
  const tx = options.report === false ? null : await reportHardwareCheck(client, offerId, verdict.passed, reportHash);
  return { offerId, verdict, reportHash, tx };
}
