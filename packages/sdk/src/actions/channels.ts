import { paymentChannelsAbi } from "@plasma/contracts";
import { type Address, type Hex, parseEventLogs, recoverTypedDataAddress } from "viem";
import { accountAddress, type PlasmaClient, read, requireWallet, writeAndWait } from "../clients/createPlasmaClient.ts";
import { plasmaErrorsAbi } from "../errors/contract.ts";
import { InsufficientXplError, InvalidArgumentError } from "../errors/errors.ts";
import { approveXpl, formatXpl, getXplAllowance, getXplBalance } from "./token.ts";

const channelsAbi = [...paymentChannelsAbi, ...plasmaErrorsAbi] as const;

/** A payment channel as stored on chain, with what is left to spend. */
export type Channel = {
  id: bigint;
  client: Address;
  provider: Address;
  deposit: bigint;
  redeemed: bigint;
  /** deposit − redeemed: what the client can still sign vouchers for (less any unredeemed ones). */
  remaining: bigint;
  /** When the client may withdraw after asking to close (0: open). */
  closesAt: number;
  closed: boolean;
};

/** A voucher: the client owes `cumulativeAmount` in all on this channel. */
export type Voucher = { channelId: bigint; cumulativeAmount: bigint; signature: Hex };

function send(client: PlasmaClient, action: string, functionName: string, args: readonly unknown[]) {
  return writeAndWait(client, action, {
    address: client.addresses.paymentChannels,
    abi: channelsAbi,
    functionName,
    args,
  });
}

/** The EIP-712 typed data of a voucher on this deployment. */
export function voucherTypedData(client: PlasmaClient, channelId: bigint, cumulativeAmount: bigint) {
  return {
    domain: {
      name: "Plasma Payment Channels",
      version: "1",
      chainId: client.chain.id,
      verifyingContract: client.addresses.paymentChannels,
    },
    types: {
      Voucher: [
        { name: "channelId", type: "uint256" },
        { name: "cumulativeAmount", type: "uint256" },
      ],
    },
    primaryType: "Voucher" as const,
    message: { channelId, cumulativeAmount },
  };
}

/** The HTTP header a paid request carries its voucher in. */
export const VOUCHER_HEADER = "x-plasma-voucher";

/** `channelId:cumulativeAmount:signature`, the voucher header's value. */
export function encodeVoucherHeader(voucher: Voucher): string {
  return `${voucher.channelId}:${voucher.cumulativeAmount}:${voucher.signature}`;
}

/** Parses a voucher header; throws an Error naming what is wrong. */
export function parseVoucherHeader(text: string): Voucher {
  const match = /^(\d{1,78}):(\d{1,78}):(0x[0-9a-fA-F]{130})$/.exec(text.trim());
  if (!match) {
    throw new Error(
      "The voucher header must be CHANNEL_ID:CUMULATIVE_WEI:SIGNATURE (a 65-byte hex signature), e.g. 3:1500000000000000:0x…",
    );
  }
  return {
    channelId: BigInt(match[1] as string),
    cumulativeAmount: BigInt(match[2] as string),
    signature: match[3] as Hex,
  };
}

/** Signs a voucher with the client's key: off chain, no transaction. */
export async function signVoucher(client: PlasmaClient, channelId: bigint, cumulativeAmount: bigint): Promise<Voucher> {
  const wallet = requireWallet(client, "Signing a voucher");
  const signature = await wallet.signTypedData(voucherTypedData(client, channelId, cumulativeAmount));
  return { channelId, cumulativeAmount, signature };
}

/** Who signed a voucher (a provider checks it is the channel's client before serving). */
export async function voucherSigner(client: PlasmaClient, voucher: Voucher): Promise<Address> {
  return recoverTypedDataAddress({
    ...voucherTypedData(client, voucher.channelId, voucher.cumulativeAmount),
    signature: voucher.signature,
  });
}

/** Reads a channel. */
export async function getChannel(client: PlasmaClient, channelId: bigint): Promise<Channel> {
  const c = await read(client, () =>
    client.public.readContract({
      address: client.addresses.paymentChannels,
      abi: channelsAbi,
      functionName: "getChannel",
      args: [channelId],
    }),
  );
  return {
    id: channelId,
    client: c.client,
    provider: c.provider,
    deposit: c.deposit,
    redeemed: c.redeemed,
    remaining: c.deposit - c.redeemed,
    closesAt: Number(c.closesAt),
    closed: c.closed,
  };
}

/**
 * The open channel (not closing) from `payer` to `provider` with the most left to spend, if there is one: the
 * one the inference client pays with by default.
 */
export async function findOpenChannel(
  client: PlasmaClient,
  p: { payer: Address; provider: Address },
): Promise<Channel | undefined> {
  const open = (await listChannels(client, p.payer)).filter(
    (c) =>
      c.client.toLowerCase() === p.payer.toLowerCase() &&
      c.provider.toLowerCase() === p.provider.toLowerCase() &&
      !c.closed &&
      c.closesAt === 0,
  );
  return open.sort((a, b) => (a.remaining > b.remaining ? -1 : a.remaining < b.remaining ? 1 : 0))[0];
}

/** Channels where `account` is the client or the provider, newest first. */
export async function listChannels(client: PlasmaClient, account: Address): Promise<Channel[]> {
  const count = await read(client, () =>
    client.public.readContract({
      address: client.addresses.paymentChannels,
      abi: channelsAbi,
      functionName: "channelCount",
    }),
  );
  const all = await Promise.all(Array.from({ length: Number(count) }, (_, i) => getChannel(client, BigInt(i + 1))));
  const me = account.toLowerCase();
  return all.filter((c) => c.client.toLowerCase() === me || c.provider.toLowerCase() === me).reverse();
}

async function ensureAllowance(client: PlasmaClient, amount: bigint, action: string) {
  if (amount <= 0n)
    throw new InvalidArgumentError(`${action}: the amount must be more than 0 XPL.`, "Give an amount like 10.");
  const me = accountAddress(client, action);
  const spender = client.addresses.paymentChannels;
  const [balance, allowance] = await Promise.all([getXplBalance(client, me), getXplAllowance(client, me, spender)]);
  if (balance < amount) throw new InsufficientXplError(me, amount, balance, formatXpl);
  if (allowance < amount) await approveXpl(client, { spender, amount });
}

/** Opens a channel to `provider` with a deposit (approves the contract first when needed). */
export async function openChannel(
  client: PlasmaClient,
  p: { provider: Address; amount: bigint },
): Promise<{ hash: Hex; channelId: bigint }> {
  await ensureAllowance(client, p.amount, "Opening a payment channel");
  const receipt = await send(client, "Opening a payment channel", "openChannel", [p.provider, p.amount]);
  const [event] = parseEventLogs({ abi: paymentChannelsAbi, eventName: "ChannelOpened", logs: receipt.logs });
  if (!event) throw new Error("openChannel: the receipt has no ChannelOpened event");
  return { hash: receipt.transactionHash, channelId: event.args.channelId };
}

/** Adds XPL to an open channel (client). */
export async function topUpChannel(client: PlasmaClient, p: { channelId: bigint; amount: bigint }): Promise<Hex> {
  await ensureAllowance(client, p.amount, "Topping up a payment channel");
  return (await send(client, "Topping up a payment channel", "topUp", [p.channelId, p.amount])).transactionHash;
}

/** Redeems a voucher (provider): pays its increase over what was redeemed. @returns the gross amount paid. */
export async function redeemVoucher(client: PlasmaClient, voucher: Voucher): Promise<{ hash: Hex; paid: bigint }> {
  const receipt = await send(client, "Redeeming a voucher", "redeem", [
    voucher.channelId,
    voucher.cumulativeAmount,
    voucher.signature,
  ]);
  const [event] = parseEventLogs({ abi: paymentChannelsAbi, eventName: "VoucherRedeemed", logs: receipt.logs });
  return { hash: receipt.transactionHash, paid: event?.args.paid ?? 0n };
}

/** The client asks to close: the provider has the challenge period to redeem its last voucher. */
export async function requestChannelClose(client: PlasmaClient, channelId: bigint): Promise<Hex> {
  return (await send(client, "Closing a payment channel", "requestClose", [channelId])).transactionHash;
}

/** After the challenge period, the client takes back what was not redeemed. */
export async function withdrawChannel(client: PlasmaClient, channelId: bigint): Promise<{ hash: Hex; refund: bigint }> {
  const receipt = await send(client, "Withdrawing from a payment channel", "withdraw", [channelId]);
  const [event] = parseEventLogs({ abi: paymentChannelsAbi, eventName: "ChannelClosed", logs: receipt.logs });
  return { hash: receipt.transactionHash, refund: event?.args.refund ?? 0n };
}

/** The provider closes at once after its last redemption; the rest returns to the client. */
export async function releaseChannel(client: PlasmaClient, channelId: bigint): Promise<{ hash: Hex; refund: bigint }> {
  const receipt = await send(client, "Releasing a payment channel", "release", [channelId]);
  const [event] = parseEventLogs({ abi: paymentChannelsAbi, eventName: "ChannelClosed", logs: receipt.logs });
  return { hash: receipt.transactionHash, refund: event?.args.refund ?? 0n };
}
