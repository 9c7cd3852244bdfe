import {
  getChannel,
  type PlasmaClient,
  parseVoucherHeader,
  redeemVoucher,
  type Voucher,
  voucherSigner,
} from "@plasma/sdk";
import type { Address, Hex } from "viem";
import { ApiError } from "../api/errors.ts";
import type { ProviderDb } from "../state/db.ts";

/**
 * The provider's side of per-request payments. Each request carries the client's latest voucher (the
 * cumulative amount it owes on a channel); the node serves it only if that voucher covers everything
 * charged so far plus this request's price. A replayed or stale voucher cannot cover a new request, so it
 * pays for nothing. Accepted vouchers are kept (SQLite) and redeemed on chain in one transaction whenever
 * enough is owed: zero transactions per request.
 */
export function createVoucherLedger(o: { db: ProviderDb; client: PlasmaClient; provider: Address }) {
  // Requests on one channel are charged one after another: two racing with the same voucher cannot both pass.
  const queues = new Map<string, Promise<unknown>>();
  const serialized = <T>(key: string, work: () => Promise<T>): Promise<T> => {
    const next = (queues.get(key) ?? Promise.resolve()).then(work, work);
    queues.set(
      key,
      next.catch(() => undefined),
    );
    return next;
  };

  async function charge(header: string | undefined, price: bigint): Promise<{ channelId: bigint; owed: bigint }> {
    if (!header) {
      throw new ApiError(
        402,
        "voucher-required",
        "This endpoint is paid per request: send a voucher in the x-plasma-voucher header.",
        "Open a channel (plasma channel open PROVIDER XPL); the SDK's inference client signs vouchers for you.",
      );
    }
    let voucher: Voucher;
    try {
      voucher = parseVoucherHeader(header);
    } catch (error) {
      throw new ApiError(400, "malformed-voucher", (error as Error).message);
    }
    const id = voucher.channelId.toString();
    return serialized(id, async () => {
      const channel = await getChannel(o.client, voucher.channelId).catch(() => {
        throw new ApiError(402, "unknown-channel", `Payment channel ${id} does not exist.`);
      });
      if (channel.provider.toLowerCase() !== o.provider.toLowerCase())
        throw new ApiError(402, "wrong-provider", `Channel ${id} pays ${channel.provider}, not this provider.`);
      if (channel.closed || channel.closesAt !== 0)
        throw new ApiError(402, "channel-closing", `Channel ${id} is closed or closing: it takes no new requests.`);
      const signer = await voucherSigner(o.client, voucher).catch(() => null);
      if (signer?.toLowerCase() !== channel.client.toLowerCase())
        throw new ApiError(
          402,
          "wrong-signer",
          `The voucher for channel ${id} is not signed by its client ${channel.client}.`,
        );
      if (voucher.cumulativeAmount > channel.deposit)
        throw new ApiError(
          402,
          "exceeds-deposit",
          `The voucher's ${voucher.cumulativeAmount} wei exceeds channel ${id}'s deposit of ${channel.deposit} wei.`,
          "Top the channel up: plasma channel topup ID XPL.",
        );
      const ledger = o.db.getChannelLedger(id);
      // What was redeemed on chain counts as charged, even if this node's database was lost.
      const owedBefore = [ledger?.owed ?? 0n, channel.redeemed].reduce((a, b) => (a > b ? a : b));
      const required = owedBefore + price;
      if (voucher.cumulativeAmount < required)
        throw new ApiError(
          402,
          "voucher-short",
          `The voucher covers ${voucher.cumulativeAmount} wei on channel ${id}; this request needs ${required} wei in all (${owedBefore} owed + ${price} for this request).`,
          "Sign a voucher for the running total (the SDK's inference client does).",
        );
      o.db.setChannelLedger(id, required, voucher.cumulativeAmount, voucher.signature);
      return { channelId: voucher.channelId, owed: required };
    });
  }

  /** Redeems, per channel, the best voucher held when it pays at least `minimum` more than was redeemed. */
  async function redeemDue(minimum = 1n): Promise<{ channelId: bigint; paid: bigint }[]> {
    const done: { channelId: bigint; paid: bigint }[] = [];
    for (const id of o.db.channelIds()) {
      await serialized(id, async () => {
        const ledger = o.db.getChannelLedger(id);
        if (!ledger) return;
        const channel = await getChannel(o.client, BigInt(id));
        if (channel.closed || ledger.latestCumulative - channel.redeemed < minimum) return;
        const { paid } = await redeemVoucher(o.client, {
          channelId: BigInt(id),
          cumulativeAmount: ledger.latestCumulative,
          signature: ledger.latestSignature as Hex,
        });
        done.push({ channelId: BigInt(id), paid });
      });
    }
    return done;
  }

  return { charge, redeemDue };
}

export type VoucherLedger = ReturnType<typeof createVoucherLedger>;
