import { computeMarketAbi, protocolParametersAbi, xplTokenAbi } from "@plasma/contracts";
import {
  type Address,
  encodeAbiParameters,
  type Hex,
  keccak256,
  parseEventLogs,
  type TransactionReceipt,
  zeroAddress,
  zeroHash,
} from "viem";
import { accountAddress, type PlasmaClient, read, writeAndWait } from "../clients/createPlasmaClient.ts";
import { ContractRevertError, plasmaErrorsAbi } from "../errors/contract.ts";
import { InsufficientXplError, InvalidArgumentError } from "../errors/errors.ts";
import { getOffer } from "./registry.ts";
import { formatXpl, getXplAllowance, getXplBalance, signXplPermit } from "./token.ts";

const marketAbi = [...computeMarketAbi, ...plasmaErrorsAbi] as const;

/** Lease states, as the contract numbers them. */
export const LEASE_STATUS = ["none", "open", "running", "ended"] as const;
export type LeaseStatus = (typeof LEASE_STATUS)[number];

/** Why a lease ended, as the contract numbers them. */
export const END_REASON = [
  "none",
  "completed",
  "stopped-by-client",
  "no-show",
  "timed-out",
  "escrow-exhausted",
  "provider-failed",
] as const;
export type EndReason = (typeof END_REASON)[number];

/** A sentence for each end reason, for people. */
export const END_REASON_TEXT: Record<EndReason, string> = {
  none: "",
  completed: "the provider completed the job and committed its result",
  "stopped-by-client": "the client stopped the lease",
  "no-show": "the provider never started the job; the client was refunded and the provider penalised",
  "timed-out": "the job ran past its time limit",
  "escrow-exhausted": "the lease used every second it paid for",
  "provider-failed": "the provider could not run the job; unsettled pay was refunded",
};

/** A lease as stored on chain, with its derived amounts. */
export type Lease = {
  id: bigint;
  client: Address;
  provider: Address;
  offerId: bigint;
  gpus: number;
  status: LeaseStatus;
  endReason: EndReason;
  maxSeconds: number;
  startBy: number;
  startedAt: number;
  endedAt: number;
  builder: Address | null;
  pricePerGpuSecond: bigint;
  /** price × gpus × maxSeconds, plus the verification fee for a verified lease */
  totalEscrow: bigint;
  /** Paid out so far (provider share + fees). */
  paid: bigint;
  /** Accrued and not yet paid (running leases). */
  accrued: bigint;
  /** Still held in escrow (0 once ended). */
  escrow: bigint;
  specHash: Hex;
  /** The manifest hash, or for a verified lease the commitment keccak256(abi.encode(id, manifestHash, salt)). */
  resultHash: Hex | null;
  verification: VerificationMode;
  verificationFeeBps: number;
  /** Verification fee paid (only a completed verified lease pays it, on what it paid). */
  verificationFee: bigint;
};

function write(client: PlasmaClient, action: string, functionName: string, args: readonly unknown[]) {
  return writeAndWait(client, action, { address: client.addresses.computeMarket, abi: marketAbi, functionName, args });
}

/** Options of {@link openLease}. */
export type OpenLeaseParameters = {
  offerId: bigint;
  gpus: number;
  maxSeconds: number;
  /** Highest price per GPU-second accepted; defaults to the offer's current price. */
  maxPricePerGpuSecond?: bigint | undefined;
  /** Canonical hash of the job spec (zero when there is none yet). */
  specHash?: Hex | undefined;
  /** App that brought this lease, paid a share of the protocol fee. */
  builder?: Address | undefined;
  /**
   * How the result is checked (the job spec's `verification.mode`). `exact` and `tolerance` pay the
   * verification fee on top of the lease's value and may be re-executed by a validator. Default `none`.
   */
  verification?: VerificationMode | undefined;
};

/** Verification modes in the order of the contracts' `Mode` enum. */
export const VERIFICATION_MODES = ["none", "exact", "tolerance"] as const;
export type VerificationMode = (typeof VERIFICATION_MODES)[number];

/** The verification fee rate (bps) a new lease in `mode` pays on top of its value. */
export async function verificationFeeBps(client: PlasmaClient, mode: VerificationMode): Promise<number> {
  if (mode === "none") return 0;
  const vp = await read(client, () =>
    client.public.readContract({
      address: client.addresses.protocolParameters,
      abi: protocolParametersAbi,
      functionName: "verificationParams",
    }),
  );
  return vp.verificationFeeBps;
}

/**
 * The most a verified lease may be worth: a fifth (the market's SLASH_PER_VERIFIED_VALUE) of a validator's slash,
 * minValidatorStake × validatorSlashBps, so that a wrong verdict never pays a validator more than it risks.
 */
export async function maxVerifiedLeaseValue(client: PlasmaClient): Promise<bigint> {
  const [vp, divisor] = await read(client, () =>
    Promise.all([
      client.public.readContract({
        address: client.addresses.protocolParameters,
        abi: protocolParametersAbi,
        functionName: "verificationParams",
      }),
      client.public.readContract({
        address: client.addresses.computeMarket,
        abi: computeMarketAbi,
        functionName: "SLASH_PER_VERIFIED_VALUE",
      }),
    ]),
  );
  return (vp.minValidatorStake * BigInt(vp.validatorSlashBps)) / 10_000n / divisor;
}

/** What a lease's escrow holds: its value plus the verification fee on it (rounded down, as on chain). */
export function escrowWithFee(value: bigint, feeBps: number): bigint {
  return value + (value * BigInt(feeBps)) / 10_000n;
}

/** What {@link openLease} returns. */
export type OpenLeaseReturnType = {
  hash: Hex;
  leaseId: bigint;
  escrow: bigint;
  startBy: number;
  receipt: TransactionReceipt;
};

/**
 * Opens a lease in one transaction: escrow via an existing allowance, or else a signed permit.
 * Checks the balance first, so that a shortfall is reported before anything is sent.
 * @example const { leaseId } = await openLease(client, { offerId: 1n, gpus: 1, maxSeconds: 3600 });
 */
export async function openLease(client: PlasmaClient, p: OpenLeaseParameters): Promise<OpenLeaseReturnType> {
  if (!Number.isInteger(p.gpus) || p.gpus < 1 || p.gpus > 65_535) {
    throw new InvalidArgumentError(`GPU count ${p.gpus} is not valid.`, "Ask for 1 to 65535 GPUs.");
  }
  if (!Number.isInteger(p.maxSeconds) || p.maxSeconds < 1 || p.maxSeconds > 0xffffffff) {
    throw new InvalidArgumentError(
      `Duration ${p.maxSeconds}s is not valid.`,
      "Ask for a whole number of seconds above 0.",
    );
  }
  const client_ = accountAddress(client, "Opening a lease");
  const offer = await getOffer(client, p.offerId);
  const maxPrice = p.maxPricePerGpuSecond ?? offer.pricePerGpuSecond;
  const mode = p.verification ?? "none";
  const feeBps = await verificationFeeBps(client, mode);
  const value = offer.pricePerGpuSecond * BigInt(p.gpus) * BigInt(p.maxSeconds);
  if (mode !== "none") {
    // The market would refuse it: say so, with the contract's own message, before anything is signed.
    const maxValue = await maxVerifiedLeaseValue(client);
    if (value > maxValue) throw new ContractRevertError("MarketVerifiedLeaseTooLarge", [value, maxValue]);
  }
  // The contract pulls price × gpus × seconds plus the verification fee; a permit covers the highest price accepted.
  const escrow = escrowWithFee(value, feeBps);
  const market = client.addresses.computeMarket;
  const [balance, allowance] = await Promise.all([
    getXplBalance(client, client_),
    getXplAllowance(client, client_, market),
  ]);
  if (balance < escrow) throw new InsufficientXplError(client_, escrow, balance, formatXpl);
  const args = {
    offerId: p.offerId,
    gpus: p.gpus,
    maxSeconds: p.maxSeconds,
    maxPricePerGpuSecond: maxPrice,
    specHash: p.specHash ?? zeroHash,
    builder: p.builder ?? zeroAddress,
    verification: VERIFICATION_MODES.indexOf(mode),
  };
  let receipt: TransactionReceipt;
  if (allowance >= escrow) {
    receipt = await write(client, "Opening a lease", "openLease", [args]);
  } else {
    const permitValue = escrowWithFee(maxPrice * BigInt(p.gpus) * BigInt(p.maxSeconds), feeBps);
    const permit = await signXplPermit(client, { spender: market, value: permitValue });
    receipt = await write(client, "Opening a lease", "openLeaseWithPermit", [
      args,
      permit.value,
      permit.deadline,
      permit.v,
      permit.r,
      permit.s,
    ]);
  }
  const [event] = parseEventLogs({ abi: computeMarketAbi, eventName: "LeaseOpened", logs: receipt.logs });
  if (!event) throw new Error("openLease: the receipt has no LeaseOpened event");
  return {
    hash: receipt.transactionHash,
    leaseId: event.args.leaseId,
    escrow: event.args.escrow,
    startBy: event.args.startBy,
    receipt,
  };
}

/** Starts an open lease (provider). */
export async function startLease(client: PlasmaClient, p: { leaseId: bigint }): Promise<Hex> {
  return (await write(client, "Starting a lease", "startLease", [p.leaseId])).transactionHash;
}

/**
 * Pays out what a running lease has accrued (provider or client). A verified lease is paid only through
 * verification: it cannot be settled along the way (`MarketVerifiedLeaseSettlesAtEnd`), and once its seconds and
 * the window for its result have passed, settling ends it without pay and refunds the client.
 * @returns the gross amount paid (0 for a verified lease).
 */
export async function settleLease(client: PlasmaClient, p: { leaseId: bigint }): Promise<{ hash: Hex; gross: bigint }> {
  const receipt = await write(client, "Settling a lease", "settle", [p.leaseId]);
  const events = parseEventLogs({ abi: computeMarketAbi, eventName: "LeaseSettled", logs: receipt.logs });
  return { hash: receipt.transactionHash, gross: events.reduce((sum, e) => sum + e.args.gross, 0n) };
}

/** Ends a running lease with a result hash (provider). */
export async function completeLease(client: PlasmaClient, p: { leaseId: bigint; resultHash: Hex }): Promise<LeaseEnd> {
  return leaseEnd(await write(client, "Completing a lease", "completeLease", [p.leaseId, p.resultHash]));
}

/**
 * Ends a running lease that could not produce a result (provider). For a verified lease, `timed-out` with a
 * `resultHash` (the salted commitment `completeLease` takes) goes to verification with its payout locked;
 * without one it pays nothing.
 */
export async function failLease(
  client: PlasmaClient,
  p: { leaseId: bigint; reason: "timed-out" | "provider-failed"; resultHash?: Hex },
): Promise<LeaseEnd> {
  const reason = END_REASON.indexOf(p.reason);
  return leaseEnd(await write(client, "Failing a lease", "failLease", [p.leaseId, reason, p.resultHash ?? zeroHash]));
}

/** Stops a running lease (client): pays the used seconds, refunds the rest. */
export async function stopLease(client: PlasmaClient, p: { leaseId: bigint }): Promise<LeaseEnd> {
  return leaseEnd(await write(client, "Stopping a lease", "stopLease", [p.leaseId]));
}

/** Ends a lease whose provider missed the start deadline (anyone may; the client gets the refund and its share of the penalty). */
export async function cancelLease(client: PlasmaClient, p: { leaseId: bigint }): Promise<LeaseEnd> {
  return leaseEnd(await write(client, "Cancelling a lease", "cancelLease", [p.leaseId]));
}

/** Claims the builder fees owed to the client's account. */
export async function claimBuilderFees(client: PlasmaClient): Promise<{ hash: Hex; amount: bigint }> {
  const receipt = await write(client, "Claiming builder fees", "claimBuilderFees", []);
  const [event] = parseEventLogs({ abi: computeMarketAbi, eventName: "BuilderFeesClaimed", logs: receipt.logs });
  return { hash: receipt.transactionHash, amount: event?.args.amount ?? 0n };
}

/**
 * How a lease ended, from its `LeaseEnded` event. `penalty` is the no-show penalty slashed from the provider;
 * `compensation` is the client's share of it (the rest went to the treasury).
 */
export type LeaseEnd = {
  hash: Hex;
  reason: EndReason;
  paid: bigint;
  refund: bigint;
  penalty: bigint;
  compensation: bigint;
};

function leaseEnd(receipt: TransactionReceipt): LeaseEnd {
  const [event] = parseEventLogs({ abi: computeMarketAbi, eventName: "LeaseEnded", logs: receipt.logs });
  if (!event) throw new Error("the receipt has no LeaseEnded event");
  const { reason, paid, refund, penalty, client } = event.args;
  let compensation = 0n;
  if (penalty > 0n) {
    // The market pays the client its refund and its share of the penalty in one transfer.
    const transfers = parseEventLogs({ abi: xplTokenAbi, eventName: "Transfer", logs: receipt.logs });
    const toClient = transfers
      .filter(
        (t) =>
          t.args.from.toLowerCase() === event.address.toLowerCase() && t.args.to.toLowerCase() === client.toLowerCase(),
      )
      .reduce((sum, t) => sum + t.args.value, 0n);
    compensation = toClient > refund ? toClient - refund : 0n;
  }
  return { hash: receipt.transactionHash, reason: END_REASON[reason] ?? "none", paid, refund, penalty, compensation };
}

/** Returns a lease; throws `ContractRevertError` (MarketUnknownLease) for an unknown id. */
export async function getLease(client: PlasmaClient, leaseId: bigint): Promise<Lease> {
  const address = client.addresses.computeMarket;
  const [l, accrued, escrow] = await read(client, () =>
    Promise.all([
      client.public.readContract({ address, abi: marketAbi, functionName: "getLease", args: [leaseId] }),
      client.public.readContract({ address, abi: marketAbi, functionName: "accrued", args: [leaseId] }),
      client.public.readContract({ address, abi: marketAbi, functionName: "escrowOf", args: [leaseId] }),
    ]),
  );
  return {
    id: leaseId,
    client: l.client,
    provider: l.provider,
    offerId: l.offerId,
    gpus: l.gpus,
    status: LEASE_STATUS[l.status] ?? "none",
    endReason: END_REASON[l.endReason] ?? "none",
    maxSeconds: l.maxSeconds,
    startBy: l.startBy,
    startedAt: l.startedAt,
    endedAt: l.endedAt,
    builder: l.builder === zeroAddress ? null : l.builder,
    pricePerGpuSecond: l.pricePerGpuSecond,
    totalEscrow: escrowWithFee(l.pricePerGpuSecond * BigInt(l.gpus) * BigInt(l.maxSeconds), l.verificationFeeBps),
    paid: l.paid,
    accrued,
    escrow,
    specHash: l.specHash,
    resultHash: l.resultHash === zeroHash ? null : l.resultHash,
    verification: VERIFICATION_MODES[l.verification] ?? "none",
    verificationFeeBps: l.verificationFeeBps,
    verificationFee: l.status === 3 && l.endReason === 1 ? (l.paid * BigInt(l.verificationFeeBps)) / 10_000n : 0n,
  };
}

/**
 * What a provider puts on chain for a verified lease: a commitment to its manifest hash that validators
 * cannot read (they must re-execute to open it), and the client can check with the salt the provider gives it.
 */
export function resultCommitment(leaseId: bigint, manifestHash: Hex, salt: Hex): Hex {
  return keccak256(
    encodeAbiParameters([{ type: "uint256" }, { type: "bytes32" }, { type: "bytes32" }], [leaseId, manifestHash, salt]),
  );
}

/** Number of leases ever opened. */
export async function getLeaseCount(client: PlasmaClient): Promise<bigint> {
  return read(client, () =>
    client.public.readContract({ address: client.addresses.computeMarket, abi: marketAbi, functionName: "leaseCount" }),
  );
}

/** Builder fees waiting to be claimed by `builder`. */
export async function getBuilderBalance(client: PlasmaClient, builder: Address): Promise<bigint> {
  return read(client, () =>
    client.public.readContract({
      address: client.addresses.computeMarket,
      abi: marketAbi,
      functionName: "builderBalance",
      args: [builder],
    }),
  );
}
