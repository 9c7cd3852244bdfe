import { hardwareChecksAbi, providerRegistryAbi } from "@plasma/contracts";
import {
  assignHardwareCheck,
  closeHardwareCheck,
  getHardwareCheck,
  getHardwareCheckState,
  type HardwareCheckState,
  type PlasmaClient,
  requestHardwareCheck,
  timeoutHardwareCheck,
} from "@plasma/sdk";
import type { ChallengeOptions } from "@plasma/verify";
import type { Logger } from "pino";
import type { Address } from "viem";
import { runHardwareCheck } from "./hardwareCheck.ts";
import type { ValidatorMetrics } from "./metrics.ts";

/** What a validator node does about proof-of-GPU checks. */
export type HardwareDutyOptions = {
  /** Sizes the challenges it sends (default: @plasma/verify's, for the offer's GPU class). */
  challenge?: ChallengeOptions | undefined;
  /**
   * Requests a check of every active offer never checked, or last checked this many seconds ago (at least a
   * day, the contract's MIN_CHECK_INTERVAL). Undefined: it requests none, and only runs the checks drawn for it.
   */
  recheckAfterSeconds?: number | undefined;
};

export type HardwareDuty = {
  /** Takes the steps due on every open check, and requests the checks that are due. */
  tick(head: bigint, now: number): Promise<void>;
  stop(): void;
};

/** The contract refuses a new check of an offer reported on less than this long ago (MIN_CHECK_INTERVAL). */
const MIN_CHECK_INTERVAL_SECONDS = 86_400;
/** How often a check that found nobody to draw is drawn again (each try is a transaction). */
const EMPTY_DRAW_RETRY_MS = 60_000;
/** How often it looks for offers to request checks of: each look reads every offer. */
const REQUEST_SCAN_MS = 60_000;

/**
 * A validator's hardware-check duty: follows the hardware-check contract's events, draws validators for
 * requested checks (anyone may), runs the checks drawn for this validator and reports them, ends windows
 * others missed, closes failed reports nobody disputed, and requests checks of offers that are due.
 */
export async function createHardwareDuty(o: {
  client: PlasmaClient;
  me: Address;
  fromBlock: bigint;
  log: Logger;
  metrics: ValidatorMetrics;
  options: HardwareDutyOptions;
  /** Mine a block when a draw waits for the next one (a local devnet mines only on transactions). */
  mine?: (() => Promise<void>) | undefined;
  /** Called when an event arrives, to wake the node's loop. */
  wake: () => void;
}): Promise<HardwareDuty> {
  const { client, me, log } = o;
  const open = new Set<bigint>();
  const busy = new Set<bigint>();
  const emptyDrawAt = new Map<bigint, number>();
  let lastScan = 0;

  const past = await client.public.getContractEvents({
    address: client.addresses.hardwareChecks,
    abi: hardwareChecksAbi,
    fromBlock: o.fromBlock,
  });
  for (const e of past as unknown as { args: { offerId?: bigint } }[]) {
    if (e.args.offerId !== undefined) open.add(e.args.offerId);
  }
  const unwatch = client.events.watchContractEvent({
    address: client.addresses.hardwareChecks,
    abi: hardwareChecksAbi,
    onLogs: (logs) => {
      for (const l of logs as unknown as { args: { offerId?: bigint } }[]) {
        if (l.args.offerId !== undefined) open.add(l.args.offerId);
      }
      o.wake();
    },
    onError: (error) => log.warn({ err: error }, "hardware-check event watcher error"),
  });

  async function step(c: HardwareCheckState, head: bigint, now: number): Promise<void> {
    const late = c.deadline > 0 && now > c.deadline;
    switch (c.stage) {
      case "none":
        open.delete(c.offerId);
        return;
      case "needs-validator": {
        // A dispute nobody could be drawn for: once its fallback time has passed it closes undecided.
        if (c.disputedReport !== null && late) {
          await closeHardwareCheck(client, c.offerId);
          return;
        }
        if (head <= c.drawBlock) {
          await o.mine?.();
          return;
        }
        // An empty draw re-arms at the next block; do not send one every tick while nobody is drawable.
        if (Date.now() - (emptyDrawAt.get(c.offerId) ?? 0) < EMPTY_DRAW_RETRY_MS) return;
        await assignHardwareCheck(client, c.offerId);
        const after = await getHardwareCheckState(client, c.offerId);
        if (after.stage === "needs-validator") emptyDrawAt.set(c.offerId, Date.now());
        else emptyDrawAt.delete(c.offerId);
        return;
      }
      case "assigned":
        if (c.validator?.toLowerCase() === me.toLowerCase() && !late) return startCheck(c.offerId);
        if (late) {
          await timeoutHardwareCheck(client, c.offerId);
          o.metrics.timeouts.inc();
          log.info({ offerId: String(c.offerId), validator: c.validator }, "ended a missed hardware-check window");
        }
        return;
      case "disputable":
        if (late) await closeHardwareCheck(client, c.offerId);
        return;
    }
  }

  /** Runs in the background (a challenge takes seconds to minutes); the report goes out when it is done. */
  function startCheck(offerId: bigint): void {
    if (busy.has(offerId)) return;
    busy.add(offerId);
    void runHardwareCheck(client, offerId, { challenge: o.options.challenge })
      .then((r) => {
        o.metrics.hardwareChecks.inc({ passed: r.verdict.passed ? "yes" : "no" });
        log.info(
          { offerId: String(offerId), passed: r.verdict.passed, reason: r.verdict.reason },
          "reported a hardware check",
        );
      })
      .catch((error) => {
        o.metrics.errors.inc({ step: "hardware-check" });
        log.warn(
          { offerId: String(offerId), err: error },
          "hardware check failed; will retry while the window is open",
        );
      })
      .finally(() => {
        busy.delete(offerId);
        o.wake();
      });
  }

  /** Requests checks of active offers never checked or checked too long ago. */
  async function requestDue(now: number): Promise<void> {
    if (o.options.recheckAfterSeconds === undefined || Date.now() - lastScan < REQUEST_SCAN_MS) return;
    const after = Math.max(o.options.recheckAfterSeconds, MIN_CHECK_INTERVAL_SECONDS);
    lastScan = Date.now();
    const count = await client.public.readContract({
      address: client.addresses.providerRegistry,
      abi: providerRegistryAbi,
      functionName: "offerCount",
    });
    for (let id = 1n; id <= count; id++) {
      if (open.has(id)) continue;
      const offer = await client.public.readContract({
        address: client.addresses.providerRegistry,
        abi: providerRegistryAbi,
        functionName: "getOffer",
        args: [id],
      });
      if (!offer.active) continue;
      const last = await getHardwareCheck(client, id);
      if (last && now - last.checkedAt < after) continue;
      // Another validator may request it first: the contract takes one open check per offer.
      await requestHardwareCheck(client, id).then(
        () => log.info({ offerId: String(id) }, "requested a hardware check"),
        (error) => log.debug({ offerId: String(id), err: error }, "hardware-check request refused"),
      );
      open.add(id);
    }
  }

  return {
    async tick(head, now) {
      for (const offerId of [...open]) {
        let before: HardwareCheckState | undefined;
        try {
          before = await getHardwareCheckState(client, offerId);
          await step(before, head, now);
        } catch (error) {
          // Anyone may draw, end a window or close: another validator often gets there first.
          const after = await getHardwareCheckState(client, offerId).catch(() => undefined);
          if (before && after && (after.stage !== before.stage || after.drawBlock !== before.drawBlock)) continue;
          o.metrics.errors.inc({ step: "hardware-duty" });
          log.warn({ offerId: String(offerId), err: error }, "hardware-check step failed; will retry");
        }
      }
      await requestDue(now).catch((error) => log.warn({ err: error }, "looking for offers to check failed"));
    },
    stop: unwatch,
  };
}
