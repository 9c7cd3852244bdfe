import { providerRegistryAbi } from "@plasma/contracts";
import { type Address, type Hex, maxUint256, parseEventLogs } from "viem";
import { accountAddress, type PlasmaClient, read } from "../clients/createPlasmaClient.ts";
import { InsufficientXplError, InvalidArgumentError, NothingToDoError } from "../errors/errors.ts";
import { getProvider, registryAbi, writeRegistry } from "./registry.ts";
import { distributeRewardsArrivalsWaitFor } from "./rewards.ts";
import { approveXpl, formatXpl, getXplAllowance, getXplBalance } from "./token.ts";

/** One delegator's position with one provider, in XPL wei. */
export type Delegation = {
  provider: Address;
  delegator: Address;
  /** What the delegator's active shares are worth now (slashes included). */
  stake: bigint;
  /** What its unbonding shares are worth now. */
  unbonding: bigint;
  /** When the unbonding part may be withdrawn (unix seconds; 0 when nothing unbonds). */
  releaseAt: number;
  /** Rewards it can claim now. */
  rewards: bigint;
};

/** What backs a provider: its own stake and what others delegated, and its commission. */
export type DelegationPool = {
  provider: Address;
  ownStake: bigint;
  delegated: bigint;
  delegatedUnbonding: bigint;
  /** Own stake plus active delegations: what counts for the minimum stake. */
  backing: bigint;
  /** Commission in force now, in basis points of the provider's rewards. */
  commissionBps: number;
  /** A scheduled raise, if any. */
  pendingCommission?: { bps: number; effectiveAt: number } | undefined;
};

async function requireProvider(client: PlasmaClient, provider: Address): Promise<void> {
  const record = await getProvider(client, provider);
  if (!record.registered) {
    throw new InvalidArgumentError(
      `${provider} is not a registered provider.`,
      "Pick one from `plasma market offers` (the provider column).",
    );
  }
}

/** Reads a delegator's position with a provider. */
export async function getDelegation(client: PlasmaClient, provider: Address, delegator: Address): Promise<Delegation> {
  const info = await read(client, () =>
    client.public.readContract({
      address: client.addresses.providerRegistry,
      abi: registryAbi,
      functionName: "getDelegation",
      args: [provider, delegator],
    }),
  );
  return {
    provider,
    delegator,
    stake: info.stake,
    unbonding: info.unbonding,
    releaseAt: Number(info.releaseAt),
    rewards: info.rewards,
  };
}

/** Reads what backs a provider and its commission. */
export async function getDelegationPool(client: PlasmaClient, provider: Address): Promise<DelegationPool> {
  const [pool, record, block] = await Promise.all([
    read(client, () =>
      client.public.readContract({
        address: client.addresses.providerRegistry,
        abi: registryAbi,
        functionName: "getDelegationPool",
        args: [provider],
      }),
    ),
    getProvider(client, provider),
    client.public.getBlock(),
  ]);
  const pending =
    pool.pendingCommissionAt > 0n && pool.pendingCommissionBps !== pool.commissionBps
      ? { bps: pool.pendingCommissionBps, effectiveAt: Number(pool.pendingCommissionAt) }
      : undefined;
  return {
    provider,
    ownStake: record.stake,
    delegated: pool.active,
    delegatedUnbonding: pool.unbonding,
    backing: record.stake + pool.active,
    commissionBps: pool.commissionBps,
    pendingCommission: pending && BigInt(pending.effectiveAt) > block.timestamp ? pending : undefined,
  };
}

/**
 * Every provider a delegator has delegated to (from the registry's `Delegated` events) with its
 * position now; positions fully withdrawn and claimed are left out.
 */
export async function listDelegations(client: PlasmaClient, delegator: Address): Promise<Delegation[]> {
  const logs = await read(client, () =>
    client.public.getContractEvents({
      address: client.addresses.providerRegistry,
      abi: providerRegistryAbi,
      eventName: "Delegated",
      args: { delegator },
      fromBlock: BigInt(client.deployment.deployedAtBlock),
    }),
  );
  const providers = [...new Set(logs.map((log) => log.args.provider as Address))];
  const positions = await Promise.all(providers.map((provider) => getDelegation(client, provider, delegator)));
  return positions.filter((d) => d.stake > 0n || d.unbonding > 0n || d.rewards > 0n);
}

/**
 * Delegates XPL to a provider's stake (approving the registry first if needed). The delegation backs
 * the provider at once and is slashed with it; it shares the rewards (after commission) of the epochs
 * after the one it arrives in. When delegations of an earlier epoch still wait for that epoch's reward,
 * this distributes it first (anyone may), as the registry requires.
 * @example await delegateStake(client, { provider: "0xabc…", amount: parseEther("5000") });
 */
export async function delegateStake(client: PlasmaClient, p: { provider: Address; amount: bigint }): Promise<Hex> {
  if (p.amount <= 0n)
    throw new InvalidArgumentError("The amount to delegate must be above zero.", "Pass XPL, e.g. 5000.");
  const owner = accountAddress(client, "Delegating");
  await requireProvider(client, p.provider);
  const registry = client.addresses.providerRegistry;
  const [balance, allowance] = await Promise.all([
    getXplBalance(client, owner),
    getXplAllowance(client, owner, registry),
  ]);
  if (balance < p.amount) throw new InsufficientXplError(owner, p.amount, balance, formatXpl);
  if (allowance < p.amount) await approveXpl(client, { spender: registry, amount: p.amount });
  await distributeRewardsArrivalsWaitFor(client, p.provider, "shares");
  return (await writeRegistry(client, "Delegating", "delegate", [p.provider, p.amount])).transactionHash;
}

/**
 * Starts unbonding a delegation ("all" for everything): it stops earning at once, stays slashable, and
 * can be withdrawn after the unbonding period.
 * @returns The transaction, the amount moved and when it can be withdrawn.
 */
export async function undelegateStake(
  client: PlasmaClient,
  p: { provider: Address; amount: bigint | "all" },
): Promise<{ hash: Hex; amount: bigint; releaseAt: number }> {
  const me = accountAddress(client, "Undelegating");
  const position = await getDelegation(client, p.provider, me);
  if (position.stake === 0n) {
    throw new NothingToDoError(
      `${me} has nothing delegated to ${p.provider}.`,
      "See your delegations with `plasma stake show`.",
    );
  }
  if (p.amount !== "all" && (p.amount <= 0n || p.amount > position.stake)) {
    throw new InvalidArgumentError(
      `You can undelegate between 0 and ${formatXpl(position.stake)} from ${p.provider}; you asked for ${formatXpl(p.amount)}.`,
      "Pass a smaller amount, or `all`.",
    );
  }
  const receipt = await writeRegistry(client, "Undelegating", "undelegate", [
    p.provider,
    p.amount === "all" ? maxUint256 : p.amount,
  ]);
  const [event] = parseEventLogs({ abi: providerRegistryAbi, eventName: "UndelegationRequested", logs: receipt.logs });
  return {
    hash: receipt.transactionHash,
    amount: event?.args.amount ?? 0n,
    releaseAt: Number(event?.args.releaseAt ?? 0),
  };
}

/** Withdraws a delegation whose unbonding period has passed. */
export async function withdrawDelegation(
  client: PlasmaClient,
  p: { provider: Address },
): Promise<{ hash: Hex; amount: bigint }> {
  const me = accountAddress(client, "Withdrawing");
  const position = await getDelegation(client, p.provider, me);
  if (position.unbonding === 0n) {
    throw new NothingToDoError(
      `${me} has nothing unbonding from ${p.provider}.`,
      "Start with `plasma stake undelegate PROVIDER AMOUNT`, then withdraw after the unbonding period.",
    );
  }
  const now = Number((await client.public.getBlock()).timestamp);
  if (now < position.releaseAt) {
    throw new NothingToDoError(
      `Your ${formatXpl(position.unbonding)} from ${p.provider} unbonds at ${new Date(position.releaseAt * 1000).toISOString()}.`,
      "Withdraw after that; until then it stays slashable.",
    );
  }
  const receipt = await writeRegistry(client, "Withdrawing", "withdrawDelegation", [p.provider]);
  const [event] = parseEventLogs({ abi: providerRegistryAbi, eventName: "DelegationWithdrawn", logs: receipt.logs });
  return { hash: receipt.transactionHash, amount: event?.args.amount ?? 0n };
}

/** Claims the rewards earned by delegating to a provider. */
export async function claimDelegationRewards(
  client: PlasmaClient,
  p: { provider: Address },
): Promise<{ hash: Hex; amount: bigint }> {
  const me = accountAddress(client, "Claiming");
  const position = await getDelegation(client, p.provider, me);
  if (position.rewards === 0n) {
    throw new NothingToDoError(
      `${me} has no delegation rewards to claim from ${p.provider}.`,
      "Rewards arrive when the provider's epochs are distributed: see `plasma rewards show`.",
    );
  }
  const receipt = await writeRegistry(client, "Claiming", "claimDelegationRewards", [p.provider]);
  const [event] = parseEventLogs({
    abi: providerRegistryAbi,
    eventName: "DelegationRewardsClaimed",
    logs: receipt.logs,
  });
  return { hash: receipt.transactionHash, amount: event?.args.amount ?? 0n };
}

/**
 * Sets the calling provider's commission. A cut applies at once; a raise after the unbonding period.
 * @returns When the new commission takes effect (unix seconds).
 */
export async function setCommission(
  client: PlasmaClient,
  p: { bps: number },
): Promise<{ hash: Hex; effectiveAt: number; scheduled: boolean }> {
  if (!Number.isInteger(p.bps) || p.bps < 0 || p.bps > 10_000) {
    throw new InvalidArgumentError(
      `A commission of ${p.bps} bps is not between 0 and 10000 (100 %).`,
      "Pass whole basis points, e.g. 1000 for 10 %.",
    );
  }
  const receipt = await writeRegistry(client, "Setting the commission", "setCommission", [p.bps]);
  const [raise] = parseEventLogs({
    abi: providerRegistryAbi,
    eventName: "CommissionRaiseScheduled",
    logs: receipt.logs,
  });
  const block = await client.public.getBlock({ blockHash: receipt.blockHash });
  return {
    hash: receipt.transactionHash,
    effectiveAt: Number(raise?.args.effectiveAt ?? block.timestamp),
    scheduled: raise !== undefined,
  };
}
