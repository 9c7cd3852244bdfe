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
 * cumulative amount it owes on a channel); the node serves it only if that voucher itself covers everything
 * charged so far plus this request's price. A replayed or stale voucher cannot cover a new request, so it
 * pays for nothing, however far ahead the client prepaid. Accepted vouchers are kept (SQLite) and redeemed on
 * chain in one transaction whenever enough is owed: zero transactions per request.
 *
 * A request the node failed to serve is credited back (`credit`), and redemption takes the largest voucher
 * that does not exceed what is owed, so the client never pays for a failure, and no voucher with credit left
 * on it is made public.
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

  /** Reads a voucher header, or says why it cannot pay. */
  function parse(header: string | undefined): Voucher {
    if (!header) {
      throw new ApiError(
        402,
        "voucher-required",
        "This endpoint is paid per request: send a voucher in the x-plasma-voucher header.",
        "Open a channel (plasma channel open PROVIDER XPL); the SDK's inference client signs vouchers for you.",
      );
    }
    try {
      return parseVoucherHeader(header);
    } catch (error) {
      throw new ApiError(400, "malformed-voucher", (error as Error).message);
    }
  }

  /** Checks that `voucher` pays `price` more than its channel owes; returns that total (this request included). */
  async function check(voucher: Voucher, price: bigint, payer: Address | undefined): Promise<bigint> {
    const id = voucher.channelId.toString();
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
    const owedBefore = o.db.channelLedger(id)?.owed ?? channel.redeemed;
    const required = owedBefore + price;
    // The voucher presented must cover the total itself: a larger voucher held from the client must not let an
    // older one (seen on the wire, or on chain once redeemed) spend the client's prepaid credit.
    if (voucher.cumulativeAmount < required)
      throw new ApiError(
        402,
        "voucher-short",
        `The voucher covers ${voucher.cumulativeAmount} wei on channel ${id}; this request needs ${required} wei in all (${owedBefore} owed + ${price} for this request).`,
        "Sign a voucher for the running total (the SDK's inference client does).",
        { owed: owedBefore.toString(), price: price.toString(), required: required.toString() },
      );
    return required;
  }

  /**
   * Checks, without charging, that the voucher in `header` would pay `price` now: the gateway's check from the
   * headers before it reads a request's body.
   * @param payer Only this account's channels may pay (the lease's client), when given.
   * @throws ApiError 402 naming why the voucher does not pay for the request.
   */
  async function authorize(header: string | undefined, price: bigint, payer?: Address): Promise<void> {
    await check(parse(header), price, payer);
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
    const voucher = parse(header);
    const id = voucher.channelId.toString();
    return serialized(id, async () => {
      const required = await check(voucher, price, payer);
      const best = o.db.channelLedger(id)?.best ?? 0n;
      o.db.recordCharge(id, required, best > voucher.cumulativeAmount ? best : voucher.cumulativeAmount, voucher);
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
   * Redeems, per channel, the largest voucher within what is owed, when it pays at least `minimum` more than was
   * redeemed. A voucher beyond what is owed (the client prepaid requests it has not made yet) stays private
   * until the client has used it up: once on chain anyone could present it. On a closing channel (its challenge
   * period is running out, and it takes no more requests) the smallest voucher covering what is owed is redeemed,
   * whatever it pays.
   */
  async function redeemDue(minimum = 1n): Promise<{ channelId: bigint; paid: bigint }[]> {
    const done: { channelId: bigint; paid: bigint }[] = [];
    for (const id of o.db.channelIds()) {
      await serialized(id, async () => {
        const owed = o.db.channelLedger(id)?.owed ?? 0n;
        const channel = await getChannel(o.client, BigInt(id));
        channels.set(id, { channel, at: Date.now() });
        if (channel.closed) return;
        const closing = channel.closesAt !== 0;
        const held = o.db
          .channelVouchers(id)
          .filter((v) => v.cumulativeAmount > channel.redeemed)
          .sort((x, y) => (x.cumulativeAmount < y.cumulativeAmount ? -1 : 1));
        const best = closing
          ? (held.find((v) => v.cumulativeAmount >= owed) ?? held.at(-1))
          : held.findLast((v) => v.cumulativeAmount <= owed);
        if (!best) return;
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

  return { authorize, charge, credit, redeemDue };
}

export type VoucherLedger = ReturnType<typeof createVoucherLedger>;
