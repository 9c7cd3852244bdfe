import {
  type Channel,
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
 *
 * A request the node failed to serve is credited back (`credit`), and redemption takes the best voucher
 * that does not exceed what is owed, so the client never pays for a failure.
 */
export function createVoucherLedger(o: {
  db: ProviderDb;
  client: PlasmaClient;
  provider: Address;
  /** How long a channel's on-chain state is trusted before it is read again (default 2 s). */
  channelCacheMs?: number;
}) {
  const cacheMs = o.channelCacheMs ?? 2_000;
  // Signatures already checked: a client that prepays several requests sends the same voucher with each,
  // and recovering a signer is the gateway's largest cost per request (about 2 ms of CPU).
  const verified = new Set<string>();
  const VERIFIED_CAP = 10_000;
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

  // A closing channel still pays during its challenge period (at least a minute), so a state a couple of
  // seconds old is safe to serve from; a voucher beyond the cached deposit re-reads it (a top-up).
  const channels = new Map<string, { channel: Channel; at: number }>();
  async function channelState(channelId: bigint, needDeposit: bigint): Promise<Channel> {
    const key = channelId.toString();
    const cached = channels.get(key);
    if (cached && Date.now() - cached.at < cacheMs && cached.channel.deposit >= needDeposit) return cached.channel;
    const channel = await getChannel(o.client, channelId).catch(() => {
      throw new ApiError(402, "unknown-channel", `Payment channel ${key} does not exist.`);
    });
    channels.set(key, { channel, at: Date.now() });
    return channel;
  }

  /**
   * Charges `price` to the channel of the voucher in `header`.
   * @param payer Only this account's channels may pay (the lease's client), when given.
   * @returns The channel and the running total owed on it, this request included.
   * @throws ApiError 402 naming why the voucher does not pay for the request.
   */
  async function charge(
    header: string | undefined,
    price: bigint,
    payer?: Address,
  ): Promise<{ channelId: bigint; owed: bigint }> {
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
      const channel = await channelState(voucher.channelId, voucher.cumulativeAmount);
      if (channel.provider.toLowerCase() !== o.provider.toLowerCase())
        throw new ApiError(402, "wrong-provider", `Channel ${id} pays ${channel.provider}, not this provider.`);
      if (payer && channel.client.toLowerCase() !== payer.toLowerCase())
        throw new ApiError(
          402,
          "not-the-lease-client",
          `Channel ${id} belongs to ${channel.client}; this endpoint is paid by its lease's client ${payer}.`,
          "Pay with a channel that the lease's client opened to this provider.",
        );
      if (channel.closed || channel.closesAt !== 0)
        throw new ApiError(
          402,
          "channel-closing",
          `Channel ${id} is closed or closing: it takes no new requests.`,
          "Open a new channel (plasma channel open).",
        );
      const signed = `${id}:${voucher.cumulativeAmount}:${voucher.signature}:${channel.client}`;
      if (!verified.has(signed)) {
        const signer = await voucherSigner(o.client, voucher).catch(() => null);
        if (signer?.toLowerCase() !== channel.client.toLowerCase())
          throw new ApiError(
            402,
            "wrong-signer",
            `The voucher for channel ${id} is not signed by its client ${channel.client}.`,
          );
        if (verified.size >= VERIFIED_CAP) verified.delete(verified.values().next().value as string);
        verified.add(signed);
      }
      if (voucher.cumulativeAmount > channel.deposit)
        throw new ApiError(
          402,
          "exceeds-deposit",
          `The voucher's ${voucher.cumulativeAmount} wei exceeds channel ${id}'s deposit of ${channel.deposit} wei.`,
          "Top the channel up: plasma channel topup ID XPL.",
        );
      // A channel this node has no record of starts at what was redeemed on chain (a lost database must not
      // let old vouchers pay twice); after that the node's own count is the truth, credits included.
      const ledger = o.db.channelLedger(id);
      const owedBefore = ledger?.owed ?? channel.redeemed;
      const required = owedBefore + price;
      // Concurrent requests can arrive out of order: a voucher already held for more covers an earlier one.
      const best = ledger && ledger.best > voucher.cumulativeAmount ? ledger.best : voucher.cumulativeAmount;
      if (best < required)
        throw new ApiError(
          402,
          "voucher-short",
          `The voucher covers ${voucher.cumulativeAmount} wei on channel ${id}; this request needs ${required} wei in all (${owedBefore} owed + ${price} for this request).`,
          "Sign a voucher for the running total (the SDK's inference client does).",
          { owed: owedBefore.toString(), price: price.toString(), required: required.toString() },
        );
      o.db.recordCharge(id, required, best, voucher);
      return { channelId: voucher.channelId, owed: required };
    });
  }

  /** Gives back a charge for a request the node did not serve; returns the new total owed. */
  function credit(channelId: bigint, amount: bigint): Promise<bigint> {
    const id = channelId.toString();
    return serialized(id, async () => {
      const owed = (o.db.channelLedger(id)?.owed ?? 0n) - amount;
      o.db.setChannelOwed(id, owed < 0n ? 0n : owed);
      return owed < 0n ? 0n : owed;
    });
  }

  /**
   * Redeems, per channel, the smallest voucher that covers what is owed (exactly what is owed, unless the client
   * prepaid a few requests ahead), when it pays at least `minimum` more than was redeemed, or anything at all on
   * a closing channel (its challenge period is running out).
   */
  async function redeemDue(minimum = 1n): Promise<{ channelId: bigint; paid: bigint }[]> {
    const done: { channelId: bigint; paid: bigint }[] = [];
    for (const id of o.db.channelIds()) {
      await serialized(id, async () => {
        const owed = o.db.channelLedger(id)?.owed ?? 0n;
        const channel = await getChannel(o.client, BigInt(id));
        channels.set(id, { channel, at: Date.now() });
        if (channel.closed) return;
        const held = o.db.channelVouchers(id).filter((v) => v.cumulativeAmount > channel.redeemed);
        const covering = held.filter((v) => v.cumulativeAmount >= owed);
        const best =
          covering.length > 0
            ? covering.reduce((a, v) => (a.cumulativeAmount <= v.cumulativeAmount ? a : v))
            : held.reduce<(typeof held)[number] | undefined>(
                (a, v) => (a && a.cumulativeAmount >= v.cumulativeAmount ? a : v),
                undefined,
              );
        if (!best) return;
        const closing = channel.closesAt !== 0;
        if (!closing && best.cumulativeAmount - channel.redeemed < minimum) return;
        const { paid } = await redeemVoucher(o.client, {
          channelId: BigInt(id),
          cumulativeAmount: best.cumulativeAmount,
          signature: best.signature as Hex,
        });
        o.db.dropVouchersUpTo(id, best.cumulativeAmount);
        done.push({ channelId: BigInt(id), paid });
      });
    }
    return done;
  }

  return { charge, credit, redeemDue };
}

export type VoucherLedger = ReturnType<typeof createVoucherLedger>;
