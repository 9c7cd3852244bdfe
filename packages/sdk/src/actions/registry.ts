import {
  hardwareChecksAbi,
  protocolParametersAbi,
  providerRegistryAbi,
  verificationManagerAbi,
} from "@plasma/contracts";
import { type Address, type Hex, parseEventLogs } from "viem";
import { accountAddress, type PlasmaClient, read, writeAndWait } from "../clients/createPlasmaClient.ts";
import { plasmaErrorsAbi } from "../errors/contract.ts";
import { InsufficientXplError, InvalidArgumentError } from "../errors/errors.ts";
import { HARDWARE_REPORT_VERDICTS } from "./hardwareChecks.ts";
import { distributeRewardsArrivalsWaitFor } from "./rewards.ts";
import { formatXpl, getXplAllowance, getXplBalance, signXplPermit } from "./token.ts";

/** The registry's ABI with every Plasma error, so reverts decode to readable errors. */
export const registryAbi = [...providerRegistryAbi, ...plasmaErrorsAbi] as const;
const paramsAbi = [...protocolParametersAbi, ...plasmaErrorsAbi] as const;

/** A provider's on-chain record. */
export type Provider = {
  address: Address;
  registered: boolean;
  stake: bigint;
  unbonding: bigint;
  unbondingReleaseAt: bigint;
  activeOffers: number;
  endpoint: string;
  attributes: string;
};

/** A GPU offer, with its id and free capacity. */
export type Offer = {
  id: bigint;
  provider: Address;
  gpuModel: string;
  vramGb: number;
  gpuCount: number;
  gpusInUse: number;
  freeGpus: number;
  pricePerGpuSecond: bigint;
  /** XPL wei per request to a service lease's endpoint, paid with channel vouchers (0: GPU time pays for them). */
  pricePerRequest: bigint;
  region: string;
  active: boolean;
  /** Whether the latest proof-of-GPU check by a validator failed (listings hide such offers by default). */
  hardwareCheckFailed: boolean;
  /** The provider's record of starting leases: completed leases and no-shows (leases it never started). */
  providerRecord: { completed: number; noShows: number };
};

/** Filters of {@link listOffers}; every field is optional. */
export type OfferFilter = {
  /** Case-insensitive GPU model, e.g. "h100". */
  gpuModel?: string | undefined;
  minVramGb?: number | undefined;
  maxPricePerGpuSecond?: bigint | undefined;
  region?: string | undefined;
  provider?: Address | undefined;
  /** Only offers with at least this many free GPUs (default 0). */
  minFreeGpus?: number | undefined;
  /** Include inactive offers (default false). */
  includeInactive?: boolean | undefined;
  /** Include offers whose latest proof-of-GPU check failed (default false). */
  includeFailedHardware?: boolean | undefined;
};

/** Sends a registry transaction and waits for its receipt (shared with the staking actions). */
export function writeRegistry(client: PlasmaClient, action: string, functionName: string, args: readonly unknown[]) {
  return writeAndWait(client, action, {
    address: client.addresses.providerRegistry,
    abi: registryAbi,
    functionName,
    args,
  });
}

/**
 * Registers the client's account as a provider.
 * @example await registerProvider(client, { endpoint: "https://gpu.example.org", attributes: '{"country":"DE"}' });
 */
export async function registerProvider(
  client: PlasmaClient,
  p: { endpoint: string; attributes?: string },
): Promise<Hex> {
  const receipt = await writeRegistry(client, "Registering a provider", "register", [p.endpoint, p.attributes ?? ""]);
  return receipt.transactionHash;
}

/** Changes the provider's endpoint and attributes. */
export async function updateProvider(client: PlasmaClient, p: { endpoint: string; attributes?: string }): Promise<Hex> {
  const receipt = await writeRegistry(client, "Updating a provider", "updateProvider", [
    p.endpoint,
    p.attributes ?? "",
  ]);
  return receipt.transactionHash;
}

/**
 * Stakes XPL: one transaction, using an existing allowance or else a signed permit.
 * @example await stake(client, { amount: parseEther("5000") });
 */
export async function stake(client: PlasmaClient, p: { amount: bigint }): Promise<Hex> {
  if (p.amount <= 0n) throw new InvalidArgumentError("The stake amount must be above zero.", "Pass an amount in XPL.");
  const owner = accountAddress(client, "Staking");
  const registry = client.addresses.providerRegistry;
  const [balance, allowance] = await Promise.all([
    getXplBalance(client, owner),
    getXplAllowance(client, owner, registry),
  ]);
  if (balance < p.amount) throw new InsufficientXplError(owner, p.amount, balance, formatXpl);
  // New stake shares no reward of an epoch it was not there for: stake of an earlier epoch still waiting for
  // that epoch's reward must see it distributed first (the registry refuses otherwise).
  await distributeRewardsArrivalsWaitFor(client, owner, "stake");
  if (allowance >= p.amount) return (await writeRegistry(client, "Staking", "stake", [p.amount])).transactionHash;
  const permit = await signXplPermit(client, { spender: registry, value: p.amount });
  const receipt = await writeRegistry(client, "Staking", "stakeWithPermit", [
    p.amount,
    permit.deadline,
    permit.v,
    permit.r,
    permit.s,
  ]);
  return receipt.transactionHash;
}

/** Moves stake into the unbonding queue; withdraw it after the unbonding period. */
export async function requestUnstake(
  client: PlasmaClient,
  p: { amount: bigint },
): Promise<{ hash: Hex; releaseAt: bigint }> {
  const receipt = await writeRegistry(client, "Unstaking", "requestUnstake", [p.amount]);
  const [event] = parseEventLogs({ abi: providerRegistryAbi, eventName: "UnstakeRequested", logs: receipt.logs });
  return { hash: receipt.transactionHash, releaseAt: event ? BigInt(event.args.releaseAt) : 0n };
}

/** Withdraws unbonded stake. */
export async function withdrawStake(client: PlasmaClient): Promise<{ hash: Hex; amount: bigint }> {
  const receipt = await writeRegistry(client, "Withdrawing stake", "withdraw", []);
  const [event] = parseEventLogs({ abi: providerRegistryAbi, eventName: "Withdrawn", logs: receipt.logs });
  return { hash: receipt.transactionHash, amount: event?.args.amount ?? 0n };
}

/** What a provider publishes in an offer. */
export type OfferInput = {
  gpuModel: string;
  vramGb: number;
  gpuCount: number;
  pricePerGpuSecond: bigint;
  region: string;
};

/**
 * Publishes an offer.
 * @returns The new offer's id.
 * @example const { offerId } = await createOffer(client, { gpuModel: "H100", vramGb: 80, gpuCount: 8, pricePerGpuSecond: 10n ** 14n, region: "eu" });
 */
export async function createOffer(client: PlasmaClient, input: OfferInput): Promise<{ hash: Hex; offerId: bigint }> {
  const receipt = await writeRegistry(client, "Creating an offer", "createOffer", [input]);
  const [event] = parseEventLogs({ abi: providerRegistryAbi, eventName: "OfferCreated", logs: receipt.logs });
  if (!event) throw new Error("createOffer: the receipt has no OfferCreated event");
  return { hash: receipt.transactionHash, offerId: event.args.offerId };
}

/** Changes an offer's price, GPU count and active flag. */
export async function updateOffer(
  client: PlasmaClient,
  p: { offerId: bigint; pricePerGpuSecond: bigint; gpuCount: number; active: boolean },
): Promise<Hex> {
  const receipt = await writeRegistry(client, "Updating an offer", "updateOffer", [
    p.offerId,
    p.pricePerGpuSecond,
    p.gpuCount,
    p.active,
  ]);
  return receipt.transactionHash;
}

/** Sets what a request to a service lease on the offer costs (XPL wei), paid off chain with channel vouchers. */
export async function setRequestPrice(
  client: PlasmaClient,
  p: { offerId: bigint; pricePerRequest: bigint },
): Promise<Hex> {
  const receipt = await writeRegistry(client, "Setting the request price", "setRequestPrice", [
    p.offerId,
    p.pricePerRequest,
  ]);
  return receipt.transactionHash;
}

/**
 * The job runtimes a provider publishes in its attributes (`{"runtimes":["sandbox","docker"]}`);
 * a provider that publishes none runs the sandbox only.
 */
export function providerRuntimes(provider: Pick<Provider, "attributes">): string[] {
  try {
    const runtimes = (JSON.parse(provider.attributes) as { runtimes?: unknown }).runtimes;
    if (Array.isArray(runtimes) && runtimes.every((r) => typeof r === "string")) return runtimes;
  } catch {
    // attributes are free text to the registry; anything else means the default
  }
  return ["sandbox"];
}

/** Returns a provider's record (`registered: false` for an unknown address). */
export async function getProvider(client: PlasmaClient, address: Address): Promise<Provider> {
  const p = await read(client, () =>
    client.public.readContract({
      address: client.addresses.providerRegistry,
      abi: registryAbi,
      functionName: "getProvider",
      args: [address],
    }),
  );
  return { address, ...p };
}

/** Returns one offer; throws `ContractRevertError` (RegistryUnknownOffer) for an unknown id. */
export async function getOffer(client: PlasmaClient, offerId: bigint): Promise<Offer> {
  const [o, check] = await read(client, () =>
    Promise.all([
      client.public.readContract({
        address: client.addresses.providerRegistry,
        abi: registryAbi,
        functionName: "getOffer",
        args: [offerId],
      }),
      client.public.readContract({
        address: client.addresses.hardwareChecks,
        abi: hardwareChecksAbi,
        functionName: "latestReport",
        args: [offerId],
      }),
    ]),
  );
  const [checked, latest] = check;
  const record = await providerRecord(client, o.provider);
  return {
    id: offerId,
    ...o,
    freeGpus: o.gpuCount - o.gpusInUse,
    // A failed report counts until a dispute's re-check overturns it.
    hardwareCheckFailed: checked && !latest.passed && HARDWARE_REPORT_VERDICTS[latest.verdict] !== "overturned",
    providerRecord: record,
  };
}

/** A provider's completed leases and no-shows, from its on-chain reputation. */
async function providerRecord(client: PlasmaClient, provider: Address): Promise<Offer["providerRecord"]> {
  const r = await read(client, () =>
    client.public.readContract({
      address: client.addresses.verificationManager,
      abi: verificationManagerAbi,
      functionName: "getReputation",
      args: [provider],
    }),
  );
  return { completed: r.completed, noShows: r.noShows };
}

/**
 * Compares two offers by what a lease that actually starts is expected to cost: the price divided by
 * the provider's show rate, (completed + 1) / (completed + noShows + 1). A provider without no-shows
 * keeps its price; one that no-showed twice and never completed counts at three times its price.
 */
function compareOffersByExpectedPrice(a: Offer, b: Offer): number {
  const weight = (o: Offer) => BigInt(o.providerRecord.completed + o.providerRecord.noShows + 1);
  const shows = (o: Offer) => BigInt(o.providerRecord.completed + 1);
  const left = a.pricePerGpuSecond * weight(a) * shows(b);
  const right = b.pricePerGpuSecond * weight(b) * shows(a);
  return left < right ? -1 : left > right ? 1 : Number(a.id - b.id);
}

/**
 * Lists offers matching a filter, cheapest first, where a provider's no-shows raise its price as
 * {@link compareOffersByExpectedPrice} says. Reads every offer in one batched RPC round trip.
 * @example const [cheapest] = await listOffers(client, { gpuModel: "H100", minFreeGpus: 1 });
 */
export async function listOffers(client: PlasmaClient, filter: OfferFilter = {}): Promise<Offer[]> {
  const count = await read(client, () =>
    client.public.readContract({
      address: client.addresses.providerRegistry,
      abi: registryAbi,
      functionName: "offerCount",
    }),
  );
  const ids = Array.from({ length: Number(count) }, (_, i) => BigInt(i + 1));
  const offers = await Promise.all(ids.map((id) => getOffer(client, id)));
  const model = filter.gpuModel?.toLowerCase();
  const region = filter.region?.toLowerCase();
  return offers
    .filter(
      (o) =>
        (filter.includeInactive || o.active) &&
        (!model || o.gpuModel.toLowerCase() === model) &&
        (!region || o.region.toLowerCase() === region) &&
        (filter.minVramGb === undefined || o.vramGb >= filter.minVramGb) &&
        (filter.maxPricePerGpuSecond === undefined || o.pricePerGpuSecond <= filter.maxPricePerGpuSecond) &&
        (!filter.provider || o.provider.toLowerCase() === filter.provider.toLowerCase()) &&
        (filter.includeFailedHardware || !o.hardwareCheckFailed) &&
        o.freeGpus >= (filter.minFreeGpus ?? 0),
    )
    .sort(compareOffersByExpectedPrice);
}

/** The protocol's current parameters, as the contracts read them. */
export type ProtocolParameterValues = {
  protocolFeeBps: number;
  builderShareBps: number;
  noShowPenaltyBps: number;
  startDeadline: number;
  treasury: Address;
  /** Share of a no-show penalty paid to the client; the rest goes to the treasury. */
  noShowClientShareBps: number;
  /** A no-show penalty is at most this share of what the provider can lose (stake, delegations, unbonding). */
  noShowBackingCapBps: number;
  /** A no-show penalty is at most this much XPL (wei). */
  noShowPenaltyCap: bigint;
  minProviderStake: bigint;
  unbondingPeriod: number;
  emissionPerEpoch: bigint;
  rewardFeeCapBps: number;
  samplingRateBps: number;
  verificationFeeBps: number;
  collateralRatioBps: number;
  verificationWindow: number;
  validatorSlashBps: number;
  bountyBps: number;
  minValidatorStake: bigint;
  missedWindowPenalty: bigint;
  /** Chance that a tolerance-mode match is audited by a second validator. */
  toleranceAuditBps: number;
  /** Payment channels: the provider's time to redeem after a client asks to close. */
  challengePeriod: number;
};

/** Reads every protocol parameter. */
export async function getProtocolParameters(client: PlasmaClient): Promise<ProtocolParameterValues> {
  const address = client.addresses.protocolParameters;
  const [market, staking, rewards, verification, channels] = await read(client, () =>
    Promise.all([
      client.public.readContract({ address, abi: paramsAbi, functionName: "marketParams" }),
      client.public.readContract({ address, abi: paramsAbi, functionName: "stakingParams" }),
      client.public.readContract({ address, abi: paramsAbi, functionName: "rewardParams" }),
      client.public.readContract({ address, abi: paramsAbi, functionName: "verificationParams" }),
      client.public.readContract({ address, abi: paramsAbi, functionName: "channelParams" }),
    ]),
  );
  return { ...market, ...staking, ...rewards, ...verification, ...channels };
}
