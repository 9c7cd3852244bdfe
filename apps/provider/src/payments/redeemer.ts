import type { Logger } from "../logger.ts";
import type { VoucherLedger } from "./voucherLedger.ts";

/**
 * Turns vouchers into XPL: every `everySeconds` it redeems each channel that owes at least `minimum` wei more
 * than was redeemed, and any amount on a channel whose client asked to close (its challenge period is
 * running). One transaction per channel and round, however many requests it paid for.
 */
export function startVoucherRedeemer(o: {
  ledger: VoucherLedger;
  everySeconds: number;
  minimum: bigint;
  logger: Logger;
}): { stop(): Promise<void> } {
  let round: Promise<void> = Promise.resolve();
  const redeem = (minimum: bigint) =>
    o.ledger
      .redeemDue(minimum)
      .then((paid) => {
        for (const p of paid)
          o.logger.info({ channelId: p.channelId.toString(), paid: p.paid.toString() }, "vouchers redeemed");
      })
      .catch((error) => o.logger.warn({ err: error }, "could not redeem vouchers; will retry"));
  const timer = setInterval(() => {
    round = round.then(() => redeem(o.minimum));
  }, o.everySeconds * 1000);
  return {
    /** Stops the rounds and redeems whatever is owed, so that nothing waits on a node that is gone. */
    async stop() {
      clearInterval(timer);
      await round;
      await redeem(1n);
    },
  };
}
