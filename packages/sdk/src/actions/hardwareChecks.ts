import { hardwareChecksAbi } from "@plasma/contracts";
import type { Address, Hex } from "viem";
import { zeroHash } from "viem";
import { type PlasmaClient, read, writeAndWait } from "../clients/createPlasmaClient.ts";
import { plasmaErrorsAbi } from "../errors/contract.ts";

const checksAbi = [...hardwareChecksAbi, ...plasmaErrorsAbi] as const;

/** Where an offer's open hardware check stands (the contract's `Stage`). */
export const HARDWARE_CHECK_STAGES = ["none", "needs-validator", "assigned", "disputable"] as const;
export type HardwareCheckStage = (typeof HARDWARE_CHECK_STAGES)[number];

/** What became of a report (the contract's `Verdict`). */
export const HARDWARE_REPORT_VERDICTS = ["standing", "disputed", "upheld", "overturned"] as const;
export type HardwareReportVerdict = (typeof HARDWARE_REPORT_VERDICTS)[number];

/** An offer's open check: who must report, by when. */
export type HardwareCheckState = {
  offerId: bigint;
  stage: HardwareCheckStage;
  /** Block whose hash draws the validator (while `needs-validator`). */
  drawBlock: bigint;
  /**
   * End of the report window (`assigned`), of the provider's dispute window (`disputable`), or of a dispute's wait
   * for a second validator (`needs-validator`, once a draw found nobody); 0 when none.
   */
  deadline: number;
  /** The drawn validator (`assigned`), or the author of the failed report (`disputable`); null otherwise. */
  validator: Address | null;
  /** A dispute's re-check: the index of the report under dispute; null otherwise. */
  disputedReport: number | null;
};

/** One report of an offer's history. */
export type HardwareReport = {
  index: number;
  validator: Address;
  passed: boolean;
  /** When it was reported (unix seconds). */
  checkedAt: number;
  /** The second validator's report in a dispute. */
  recheck: boolean;
  verdict: HardwareReportVerdict;
  /** sha256 of the validator's report (challenge, timings, verdict). */
  reportHash: Hex;
  /** True when the report failed the offer and was not overturned. */
  failed: boolean;
};

function send(client: PlasmaClient, action: string, functionName: string, args: readonly unknown[]) {
  return writeAndWait(client, action, { address: client.addresses.hardwareChecks, abi: checksAbi, functionName, args });
}

function call<T>(client: PlasmaClient, functionName: string, args: readonly unknown[]): Promise<T> {
  return read(
    client,
    () =>
      client.public.readContract({
        address: client.addresses.hardwareChecks,
        abi: checksAbi,
        functionName,
        args,
      } as never) as Promise<T>,
  );
}

type RawReport = {
  validator: Address;
  reportedAt: bigint;
  passed: boolean;
  recheck: boolean;
  verdict: number;
  reportHash: Hex;
};

function toReport(index: number, r: RawReport): HardwareReport {
  const verdict = HARDWARE_REPORT_VERDICTS[r.verdict] ?? "standing";
  return {
    index,
    validator: r.validator,
    passed: r.passed,
    checkedAt: Number(r.reportedAt),
    recheck: r.recheck,
    verdict,
    reportHash: r.reportHash,
    failed: !r.passed && verdict !== "overturned",
  };
}

/**
 * Reads an offer's latest proof-of-GPU report.
 * @param offerId The offer.
 * @returns The latest report, or null when the offer was never checked.
 * @example const check = await getHardwareCheck(client, 1n); if (check?.failed) console.log("failed");
 */
export async function getHardwareCheck(client: PlasmaClient, offerId: bigint): Promise<HardwareReport | null> {
  const [exists, last] = await call<[boolean, RawReport]>(client, "latestReport", [offerId]);
  if (!exists) return null;
  const count = await call<bigint>(client, "reportCount", [offerId]);
  return toReport(Number(count) - 1, last);
}

/**
 * Reads every proof-of-GPU report ever made about an offer, oldest first.
 * @param offerId The offer.
 * @returns The reports, with what became of each.
 * @example const history = await getHardwareReports(client, 1n);
 */
export async function getHardwareReports(client: PlasmaClient, offerId: bigint): Promise<HardwareReport[]> {
  const count = Number(await call<bigint>(client, "reportCount", [offerId]));
  return Promise.all(
    Array.from({ length: count }, async (_, i) =>
      toReport(i, await call<RawReport>(client, "getReport", [offerId, BigInt(i)])),
    ),
  );
}

/**
 * Reads an offer's open hardware check.
 * @param offerId The offer.
 * @returns Its stage (`none` when no check is open), draw block, deadline and validator.
 * @example const { stage, validator } = await getHardwareCheckState(client, 1n);
 */
export async function getHardwareCheckState(client: PlasmaClient, offerId: bigint): Promise<HardwareCheckState> {
  const c = await call<{ stage: number; drawBlock: bigint; deadline: number; disputed: number; validator: Address }>(
    client,
    "getCheck",
    [offerId],
  );
  return {
    offerId,
    stage: HARDWARE_CHECK_STAGES[c.stage] ?? "none",
    drawBlock: c.drawBlock,
    deadline: Number(c.deadline),
    validator: /^0x0{40}$/.test(c.validator) ? null : c.validator,
    disputedReport: c.disputed === 0 ? null : c.disputed - 1,
  };
}

/**
 * Requests a proof-of-GPU check of an offer (anyone). A validator is drawn from the next block's hash.
 * @returns The transaction hash.
 * @example await requestHardwareCheck(client, 1n);
 */
export async function requestHardwareCheck(client: PlasmaClient, offerId: bigint): Promise<Hex> {
  return (await send(client, "Requesting a hardware check", "requestCheck", [offerId])).transactionHash;
}

/**
 * Draws the validator of an offer's requested check (anyone, from the block after the request).
 * @returns The transaction hash.
 * @example await assignHardwareCheck(client, 1n);
 */
export async function assignHardwareCheck(client: PlasmaClient, offerId: bigint): Promise<Hex> {
  return (await send(client, "Drawing a hardware check's validator", "assign", [offerId])).transactionHash;
}

/**
 * Reports a proof-of-GPU check: only the validator assigned to the offer's open check, within its window.
 * @param reportHash sha256 of the full report (challenge, timings, verdict).
 * @returns The transaction hash.
 * @example await reportHardwareCheck(client, 1n, true, reportHash);
 */
export async function reportHardwareCheck(
  client: PlasmaClient,
  offerId: bigint,
  passed: boolean,
  reportHash: Hex = zeroHash,
): Promise<Hex> {
  return (await send(client, "Reporting a hardware check", "report", [offerId, passed, reportHash])).transactionHash;
}

/**
 * Ends a hardware check whose validator missed its window: it is penalized and another is drawn (anyone).
 * @returns The transaction hash.
 * @example await timeoutHardwareCheck(client, 1n);
 */
export async function timeoutHardwareCheck(client: PlasmaClient, offerId: bigint): Promise<Hex> {
  return (await send(client, "Ending a missed hardware-check window", "timeout", [offerId])).transactionHash;
}

/**
 * Disputes the offer's latest report, a failure: a second validator re-checks it (the offer's provider, within
 * the window, once per report).
 * @returns The transaction hash.
 * @example await disputeHardwareCheck(providerClient, 1n);
 */
export async function disputeHardwareCheck(client: PlasmaClient, offerId: bigint): Promise<Hex> {
  return (await send(client, "Disputing a hardware check", "dispute", [offerId])).transactionHash;
}

/**
 * Closes an undisputed failed report once its dispute window has passed, or a dispute that found no second
 * validator by its fallback time (undecided: the report stands), releasing the validator (anyone).
 * @returns The transaction hash.
 * @example await closeHardwareCheck(client, 1n);
 */
export async function closeHardwareCheck(client: PlasmaClient, offerId: bigint): Promise<Hex> {
  return (await send(client, "Closing a hardware check", "close", [offerId])).transactionHash;
}
