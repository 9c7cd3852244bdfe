import { computeMarketAbi, providerRegistryAbi, rewardsDistributorAbi, xplTokenAbi } from "@plasma/contracts";
import { type Address, type Hex, maxUint256, parseEventLogs } from "viem";
import { accountAddress, type PlasmaClient, read, writeAndWait } from "../clients/createPlasmaClient.ts";
import { plasmaErrorsAbi } from "../errors/contract.ts";
import { NothingToDoError } from "../errors/errors.ts";
import { claimBuilderFees, getBuilderBalance } from "./market.ts";

const distributorAbi = [...rewardsDistributorAbi, ...plasmaErrorsAbi] as const;

/** A provider's work in one epoch and the reward it brings. */
export type EpochWork = {
  epoch: number;
  gpuSeconds: bigint;
  /** Protocol fee (the treasury's part) the work paid: the reward is capped by a share of it. */
  protocolFees: bigint;
  /** Whether the epoch has ended, so that its reward can be paid. */
  ended: boolean;
  /** What distributing it would pay now (0 until the epoch ends). */
  reward: bigint;
};

/** Where a provider stands with the rewards pool. */
export type RewardsSummary = {
  provider: Address;
  currentEpoch: number;
  /** When the current epoch ends (unix seconds). */
  epochEndsAt: number;
  epochSeconds: number;
  /** Rewards already distributed to the provider and not yet claimed. */
  owed: bigint;
  /** Epochs with work not yet distributed, oldest first. */
  pending: EpochWork[];
  /** `owed` plus the rewards of every ended pending epoch: what `claimRewards` would pay now. */
  claimable: bigint;
  /** XPL in the pool that no epoch has reserved yet. */
  poolAvailable: bigint;
};

function call<T>(client: PlasmaClient, functionName: string, args: readonly unknown[] = []): Promise<T> {
  return read(
    client,
    () =>
      client.public.readContract({
        address: client.addresses.rewardsDistributor,
        abi: distributorAbi,
        functionName,
        args,
      } as never) as Promise<T>,
  );
}

/** Reads a provider's rewards: owed, pending epochs with their rewards, and the pool. */
export async function getRewardsSummary(client: PlasmaClient, provider: Address): Promise<RewardsSummary> {
  const [current, epochSeconds, owed, pendingEpochs, poolAvailable] = await Promise.all([
    call<bigint>(client, "currentEpoch"),
    call<bigint>(client, "epochLength"),
    call<bigint>(client, "owed", [provider]),
    call<readonly bigint[]>(client, "pendingEpochs", [provider]),
    call<bigint>(client, "available"),
  ]);
  const epochEndsAt = await call<bigint>(client, "epochEndsAt", [current]);
  const pending = await Promise.all(
    pendingEpochs.map(async (epoch): Promise<EpochWork> => {
      const [work, reward] = await Promise.all([
        call<{ gpuSeconds: bigint; protocolFees: bigint }>(client, "getWork", [epoch, provider]),
        call<bigint>(client, "previewReward", [epoch, provider]),
      ]);
      return {
        epoch: Number(epoch),
        gpuSeconds: work.gpuSeconds,
        protocolFees: work.protocolFees,
        ended: epoch < current,
        reward,
      };
    }),
  );
  return {
    provider,
    currentEpoch: Number(current),
    epochEndsAt: Number(epochEndsAt),
    epochSeconds: Number(epochSeconds),
    owed,
    pending,
    claimable: owed + pending.reduce((sum, w) => sum + w.reward, 0n),
    poolAvailable,
  };
}

/**
 * Distributes the caller's ended epochs and sends it everything it is owed (commission plus its own
 * stake's share; delegators claim theirs from the registry).
 */
export async function claimRewards(client: PlasmaClient): Promise<{ hash: Hex; amount: bigint }> {
  const me = accountAddress(client, "Claiming rewards");
  const summary = await getRewardsSummary(client, me);
  if (summary.claimable === 0n) {
    const open = summary.pending.find((w) => !w.ended);
    throw new NothingToDoError(
      `${me} has no provider rewards to claim yet.`,
      open
        ? `Its ${open.gpuSeconds} GPU-seconds of epoch ${open.epoch} earn rewards once the epoch ends at ${new Date(summary.epochEndsAt * 1000).toISOString()}.`
        : "Rewards come from GPU-seconds your leases settle; each epoch's are paid after it ends.",
    );
  }
  const receipt = await writeAndWait(client, "Claiming rewards", {
    address: client.addresses.rewardsDistributor,
    abi: distributorAbi,
    functionName: "claim",
    args: [],
  });
  const [event] = parseEventLogs({ abi: rewardsDistributorAbi, eventName: "RewardsClaimed", logs: receipt.logs });
  return { hash: receipt.transactionHash, amount: event?.args.amount ?? 0n };
}

/**
 * Distributes a provider's ended epochs, oldest first, up to `maxEpochs` (64 at most per transaction). Anyone
 * may: the provider's part becomes claimable by it, the delegators' part goes to the registry.
 */
export async function distributePendingRewards(
  client: PlasmaClient,
  p: { provider: Address; maxEpochs?: number },
): Promise<{ hash: Hex; amount: bigint; epochs: number }> {
  accountAddress(client, "Distributing rewards");
  const receipt = await writeAndWait(client, "Distributing rewards", {
    address: client.addresses.rewardsDistributor,
    abi: distributorAbi,
    functionName: "distributePending",
    args: [p.provider, BigInt(p.maxEpochs ?? 64)],
  });
  const events = parseEventLogs({ abi: rewardsDistributorAbi, eventName: "RewardDistributed", logs: receipt.logs });
  return {
    hash: receipt.transactionHash,
    amount: events.reduce((sum, e) => sum + (e.args.reward ?? 0n), 0n),
    epochs: events.length,
  };
}

/** Stake or delegation shares that arrived in an epoch and take no part in that epoch's rewards. */
export type Arrivals = {
  /** The provider's own stake added in `stakeEpoch`. */
  stake: bigint;
  stakeEpoch: number;
  /** Delegation shares added in `sharesEpoch`. */
  shares: bigint;
  sharesEpoch: number;
  /** The provider's oldest epoch with work whose reward is not distributed (undefined: none). */
  firstUndistributedEpoch: number | undefined;
  currentEpoch: number;
};

/** Reads a provider's arrivals: new stake earns only from the rewards of the epoch after the one it arrived in. */
export async function getArrivals(client: PlasmaClient, provider: Address): Promise<Arrivals> {
  const [arrivals, first, current] = await Promise.all([
    read(client, () =>
      client.public.readContract({
        address: client.addresses.providerRegistry,
        abi: providerRegistryAbi,
        functionName: "arrivals",
        args: [provider],
      }),
    ),
    call<bigint>(client, "firstUndistributedEpoch", [provider]),
    call<bigint>(client, "currentEpoch"),
  ]);
  const [stake, stakeEpoch, shares, sharesEpoch] = arrivals;
  return {
    stake,
    stakeEpoch: Number(stakeEpoch),
    shares,
    sharesEpoch: Number(sharesEpoch),
    firstUndistributedEpoch: first === maxUint256 ? undefined : Number(first),
    currentEpoch: Number(current),
  };
}

/**
 * Rewards go to the stake that was there during their epoch, so stake that arrived in an earlier epoch waits
 * until that epoch's reward (and every earlier one) is distributed, and the registry takes no more of the same
 * kind for this provider until then (RegistryRewardsPending). This distributes what it waits for, if anything,
 * before a `stake` (kind "stake") or a `delegate` (kind "shares").
 * @returns The distribution transactions sent (none when nothing waited).
 */
export async function distributeRewardsArrivalsWaitFor(
  client: PlasmaClient,
  provider: Address,
  kind: "stake" | "shares",
): Promise<Hex[]> {
  const hashes: Hex[] = [];
  for (let i = 0; i < 16; i++) {
    const a = await getArrivals(client, provider);
    const [amount, epoch] = kind === "stake" ? [a.stake, a.stakeEpoch] : [a.shares, a.sharesEpoch];
    const waits =
      amount > 0n &&
      epoch < a.currentEpoch &&
      a.firstUndistributedEpoch !== undefined &&
      a.firstUndistributedEpoch <= epoch;
    if (!waits) return hashes;
    hashes.push((await distributePendingRewards(client, { provider })).hash);
  }
  return hashes;
}

/** What a builder has earned from leases that named it, and from treasury grants. */
export type BuilderEarnings = {
  builder: Address;
  /** Leases that named the builder. */
  leases: number;
  /** Builder fees ever credited (claimed or not). */
  earned: bigint;
  /** Builder fees waiting to be claimed. */
  claimable: bigint;
  /** Builder fees already claimed. */
  claimed: bigint;
  /** Treasury grants received (XPL sent by the timelock, i.e. passed proposals). */
  grants: bigint;
};

/**
 * Reads a builder's earnings from the market's and token's events and its claimable balance.
 * Leases are matched by the builder named when they were opened.
 */
export async function getBuilderEarnings(client: PlasmaClient, builder: Address): Promise<BuilderEarnings> {
  const fromBlock = BigInt(client.deployment.deployedAtBlock);
  const market = client.addresses.computeMarket;
  const [opened, settled, claimedLogs, grantLogs, claimable] = await read(client, () =>
    Promise.all([
      client.public.getContractEvents({ address: market, abi: computeMarketAbi, eventName: "LeaseOpened", fromBlock }),
      client.public.getContractEvents({ address: market, abi: computeMarketAbi, eventName: "LeaseSettled", fromBlock }),
      client.public.getContractEvents({
        address: market,
        abi: computeMarketAbi,
        eventName: "BuilderFeesClaimed",
        args: { builder },
        fromBlock,
      }),
      client.public.getContractEvents({
        address: client.addresses.xplToken,
        abi: xplTokenAbi,
        eventName: "Transfer",
        args: { from: client.addresses.timelock, to: builder },
        fromBlock,
      }),
      getBuilderBalance(client, builder),
    ]),
  );
  const mine = new Set(
    opened.filter((log) => log.args.builder?.toLowerCase() === builder.toLowerCase()).map((log) => log.args.leaseId),
  );
  const earned = settled
    .filter((log) => mine.has(log.args.leaseId))
    .reduce((sum, log) => sum + (log.args.builderFee ?? 0n), 0n);
  return {
    builder,
    leases: mine.size,
    earned,
    claimable,
    claimed: claimedLogs.reduce((sum, log) => sum + (log.args.amount ?? 0n), 0n),
    grants: grantLogs.reduce((sum, log) => sum + (log.args.value ?? 0n), 0n),
  };
}

/** Claims the caller's builder fees, refusing up front when there are none. */
export async function claimBuilderEarnings(client: PlasmaClient): Promise<{ hash: Hex; amount: bigint }> {
  const me = accountAddress(client, "Claiming builder fees");
  if ((await getBuilderBalance(client, me)) === 0n) {
    throw new NothingToDoError(
      `${me} has no builder fees to claim.`,
      "Builder fees accrue when leases name you as their builder (`plasma run --builder ADDRESS`).",
    );
  }
  return claimBuilderFees(client);
}
