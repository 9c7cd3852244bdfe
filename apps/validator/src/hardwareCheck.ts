import { createHash, randomBytes } from "node:crypto";
import {
  getOffer,
  getProvider,
  openHardwareChallenge,
  type PlasmaClient,
  postHardwareChallenge,
  recordHardwareCheck,
} from "@plasma/sdk";
import { type ChallengeOptions, checkResponseAsync, createChallenge, type HardwareVerdict } from "@plasma/verify";
import type { Hex } from "viem";

/** A finished hardware check: the verdict, and the transaction that recorded it (if recorded). */
export type HardwareCheckResult = { offerId: bigint; verdict: HardwareVerdict; reportHash: Hex; tx: Hex | null };

/**
 * Challenges an offer's hardware: sends a fresh seeded workload sized for its claimed class, times the
 * commitment itself, opens random rows with a nonce sent only then, recomputes them on the CPU, and
 * records the verdict on chain (an offer that fails is hidden from listings by default).
 */
export async function runHardwareCheck(
  client: PlasmaClient,
  offerId: bigint,
  options: { record?: boolean; challenge?: ChallengeOptions } = {},
): Promise<HardwareCheckResult> {
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
  const tx = options.record === false ? null : await recordHardwareCheck(client, offerId, verdict.passed, reportHash);
  return { offerId, verdict, reportHash, tx };
}
