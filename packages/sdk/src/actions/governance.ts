import { plasmaGovernorAbi, protocolParametersAbi, xplTokenAbi } from "@plasma/contracts";
import {
  type Address,
  decodeFunctionData,
  encodeFunctionData,
  type Hex,
  hexToString,
  isAddressEqual,
  keccak256,
  stringToHex,
  toHex,
} from "viem";
import { accountAddress, type PlasmaClient, read, writeAndWait } from "../clients/createPlasmaClient.ts";
import { plasmaErrorsAbi } from "../errors/contract.ts";
import { InvalidArgumentError, NothingToDoError } from "../errors/errors.ts";
import { formatXpl, getVotingPower, getXplBalance } from "./token.ts";

const governorAbi = [...plasmaGovernorAbi, ...plasmaErrorsAbi] as const;

/** How a parameter's value is written and read by people. */
export type ParameterUnit = "bps" | "seconds" | "xpl";

/** Every numeric parameter of ProtocolParameters, by its on-chain name. */
export const GOVERNED_PARAMETERS = {
  protocolFeeBps: { unit: "bps", description: "share of every lease payment that goes to the protocol" },
  builderShareBps: { unit: "bps", description: "share of the protocol fee paid to a lease's builder" },
  noShowPenaltyBps: { unit: "bps", description: "share of a lease's escrow slashed from a provider that never starts" },
  startDeadline: { unit: "seconds", description: "time a provider has to start an opened lease" },
  minProviderStake: { unit: "xpl", description: "stake (own + delegated) a provider needs to take leases" },
  unbondingPeriod: { unit: "seconds", description: "time between an unstake or undelegation and its withdrawal" },
  emissionPerEpoch: { unit: "xpl", description: "XPL the rewards pool pays out per epoch" },
  rewardFeeCapBps: {
    unit: "bps",
    description: "a provider's epoch reward is at most this share of the fee its work paid",
  },
} as const satisfies Record<string, { unit: ParameterUnit; description: string }>;

export type GovernedParameter = keyof typeof GOVERNED_PARAMETERS;

/** One thing a proposal does when executed. */
export type ProposalAction =
  | { kind: "set-parameter"; name: GovernedParameter; value: bigint }
  | { kind: "set-treasury"; address: Address }
  | { kind: "grant"; to: Address; amount: bigint }
  | { kind: "call"; target: Address; value: bigint; data: Hex };

/** The governor's proposal states, by their index in OpenZeppelin's `ProposalState`. */
export const PROPOSAL_STATES = [
  "Pending",
  "Active",
  "Canceled",
  "Defeated",
  "Succeeded",
  "Queued",
  "Expired",
  "Executed",
] as const;
export type ProposalState = (typeof PROPOSAL_STATES)[number];

/** A proposal with everything needed to show, vote on, queue and execute it. */
export type Proposal = {
  /** 1, 2, 3… in creation order: a short name for the CLI. */
  number: number;
  id: bigint;
  proposer: Address;
  description: string;
  actions: ProposalAction[];
  targets: Address[];
  values: bigint[];
  calldatas: Hex[];
  state: ProposalState;
  votes: { against: bigint; for: bigint; abstain: bigint };
  /** Votes (for + abstain) needed for it to pass. */
  quorum: bigint;
  /** When voting opens and closes (unix seconds). */
  voteStart: number;
  voteEnd: number;
  /** When a queued proposal may run (unix seconds; 0 when not queued). */
  eta: number;
};

export function isGovernedParameter(name: string): name is GovernedParameter {
  return Object.hasOwn(GOVERNED_PARAMETERS, name);
}

/** Turns proposal actions into the governor's targets, values and calldatas. */
export function encodeProposalActions(
  addresses: { protocolParameters: Address; xplToken: Address },
  actions: readonly ProposalAction[],
): { targets: Address[]; values: bigint[]; calldatas: Hex[] } {
  const encoded = actions.map((a): [Address, bigint, Hex] => {
    switch (a.kind) {
      case "set-parameter":
        return [
          addresses.protocolParameters,
          0n,
          encodeFunctionData({
            abi: protocolParametersAbi,
            functionName: "setParameter",
            args: [stringToHex(a.name, { size: 32 }), a.value],
          }),
        ];
      case "set-treasury":
        return [
          addresses.protocolParameters,
          0n,
          encodeFunctionData({ abi: protocolParametersAbi, functionName: "setTreasury", args: [a.address] }),
        ];
      case "grant":
        return [
          addresses.xplToken,
          0n,
          encodeFunctionData({ abi: xplTokenAbi, functionName: "transfer", args: [a.to, a.amount] }),
        ];
      default:
        return [a.target, a.value, a.data];
    }
  });
  return {
    targets: encoded.map((e) => e[0]),
    values: encoded.map((e) => e[1]),
    calldatas: encoded.map((e) => e[2]),
  };
}

/** The inverse of {@link encodeProposalActions}; calls it does not recognise come back as `call`. */
export function decodeProposalActions(
  addresses: { protocolParameters: Address; xplToken: Address },
  targets: readonly Address[],
  values: readonly bigint[],
  calldatas: readonly Hex[],
): ProposalAction[] {
  return targets.map((target, i): ProposalAction => {
    const data = calldatas[i] ?? "0x";
    const value = values[i] ?? 0n;
    const raw: ProposalAction = { kind: "call", target, value, data };
    if (value !== 0n) return raw;
    try {
      if (isAddressEqual(target, addresses.protocolParameters)) {
        const call = decodeFunctionData({ abi: protocolParametersAbi, data });
        if (call.functionName === "setParameter") {
          const name = hexToString(call.args[0], { size: 32 }).replace(/\0+$/, "");
          if (isGovernedParameter(name)) return { kind: "set-parameter", name, value: call.args[1] };
        }
        if (call.functionName === "setTreasury") return { kind: "set-treasury", address: call.args[0] };
      }
      if (isAddressEqual(target, addresses.xplToken)) {
        const call = decodeFunctionData({ abi: xplTokenAbi, data });
        if (call.functionName === "transfer") return { kind: "grant", to: call.args[0], amount: call.args[1] };
      }
    } catch {
      // not one of ours: shown raw
    }
    return raw;
  });
}

function governorRead<T>(client: PlasmaClient, functionName: string, args: readonly unknown[] = []): Promise<T> {
  return read(
    client,
    () =>
      client.public.readContract({
        address: client.addresses.governor,
        abi: governorAbi,
        functionName,
        args,
      } as never) as Promise<T>,
  );
}

/** Every proposal ever made, oldest first, with its state and votes now. */
export async function listProposals(client: PlasmaClient): Promise<Proposal[]> {
  const logs = await read(client, () =>
    client.public.getContractEvents({
      address: client.addresses.governor,
      abi: plasmaGovernorAbi,
      eventName: "ProposalCreated",
      fromBlock: BigInt(client.deployment.deployedAtBlock),
    }),
  );
  return Promise.all(
    logs.map(async (log, i): Promise<Proposal> => {
      const a = log.args as {
        proposalId: bigint;
        proposer: Address;
        targets: readonly Address[];
        values: readonly bigint[];
        calldatas: readonly Hex[];
        voteStart: bigint;
        voteEnd: bigint;
        description: string;
      };
      const [state, votes, eta] = await Promise.all([
        governorRead<number>(client, "state", [a.proposalId]),
        governorRead<readonly [bigint, bigint, bigint]>(client, "proposalVotes", [a.proposalId]),
        governorRead<bigint>(client, "proposalEta", [a.proposalId]),
      ]);
      const quorum = await governorRead<bigint>(client, "quorum", [a.voteStart]).catch(() => 0n);
      return {
        number: i + 1,
        id: a.proposalId,
        proposer: a.proposer,
        description: a.description,
        actions: decodeProposalActions(client.addresses, a.targets, a.values, a.calldatas),
        targets: [...a.targets],
        values: [...a.values],
        calldatas: [...a.calldatas],
        state: PROPOSAL_STATES[state] ?? "Pending",
        votes: { against: votes[0], for: votes[1], abstain: votes[2] },
        quorum,
        voteStart: Number(a.voteStart),
        voteEnd: Number(a.voteEnd),
        eta: Number(eta),
      };
    }),
  );
}

/** Finds a proposal by its number (1, 2, …) or its full id. */
export async function getProposal(client: PlasmaClient, ref: string | bigint): Promise<Proposal> {
  const text = String(ref).trim();
  if (!/^(\d+|0x[0-9a-fA-F]+)$/.test(text)) {
    throw new InvalidArgumentError(
      `"${text}" is not a proposal number or id.`,
      "Pass the number `plasma gov list` shows, or the full id.",
    );
  }
  const wanted = BigInt(text);
  const proposals = await listProposals(client);
  const found = proposals.find((p) => p.id === wanted) ?? proposals.find((p) => BigInt(p.number) === wanted);
  if (!found) {
    throw new InvalidArgumentError(
      `There is no proposal ${text}${proposals.length ? ` (there are ${proposals.length})` : " (there are none yet)"}.`,
      "List them with `plasma gov list`.",
    );
  }
  return found;
}

async function chainNow(client: PlasmaClient): Promise<number> {
  return Number((await client.public.getBlock()).timestamp);
}

const when = (unix: number) => new Date(unix * 1000).toISOString();

/** Checks actions before proposing them: known parameters inside their bounds, grants the treasury covers. */
async function checkActions(client: PlasmaClient, actions: readonly ProposalAction[]): Promise<void> {
  if (actions.length === 0) {
    throw new InvalidArgumentError(
      "A proposal needs at least one action.",
      "Add --set NAME=VALUE, --grant ADDRESS=XPL or --treasury ADDRESS.",
    );
  }
  let granted = 0n;
  for (const action of actions) {
    if (action.kind === "set-parameter") {
      const [min, max] = await read(client, () =>
        client.public.readContract({
          address: client.addresses.protocolParameters,
          abi: protocolParametersAbi,
          functionName: "bounds",
          args: [stringToHex(action.name, { size: 32 })],
        }),
      );
      if (action.value < min || action.value > max) {
        const show = (v: bigint) => formatParameter(action.name, v);
        throw new InvalidArgumentError(
          `${action.name} must lie between ${show(min)} and ${show(max)}; ${show(action.value)} is out of bounds.`,
          "The bounds are hard-coded: not even a passed proposal can cross them.",
        );
      }
    }
    if (action.kind === "grant") granted += action.amount;
  }
  if (granted > 0n) {
    const treasury = await getXplBalance(client, client.addresses.timelock);
    if (granted > treasury) {
      throw new InvalidArgumentError(
        `The grants add up to ${formatXpl(granted)} but the treasury holds ${formatXpl(treasury)}.`,
        "Grant less.",
      );
    }
  }
}

/** Formats a parameter's value in its unit: `500 bps (5 %)`, `7d`, `1000 XPL`. */
export function formatParameter(name: GovernedParameter, value: bigint): string {
  const unit = GOVERNED_PARAMETERS[name].unit;
  if (unit === "bps") return `${value} bps (${Number(value) / 100} %)`;
  if (unit === "xpl") return `${formatXpl(value)}`;
  return `${value} s`;
}

/**
 * Proposes actions to the governor, after checking them and the proposer's votes.
 * @returns The new proposal.
 */
export async function propose(
  client: PlasmaClient,
  p: { actions: readonly ProposalAction[]; description: string },
): Promise<Proposal> {
  const me = accountAddress(client, "Proposing");
  if (!p.description.trim()) {
    throw new InvalidArgumentError("A proposal needs a description.", "Say what it does and why, with -m TEXT.");
  }
  await checkActions(client, p.actions);
  const now = await chainNow(client);
  const [threshold, power] = await Promise.all([
    governorRead<bigint>(client, "proposalThreshold"),
    governorRead<bigint>(client, "getVotes", [me, BigInt(now - 1)]),
  ]);
  if (power < threshold) {
    const own = await getVotingPower(client, me);
    throw new InvalidArgumentError(
      `Proposing needs ${formatXpl(threshold)} of votes; ${me} has ${formatXpl(power)}.`,
      own.votes < threshold
        ? "Get more XPL delegated to you (`plasma delegate ADDRESS` from their holders)."
        : "Votes count from the second after delegating: run `plasma delegate` first, then propose.",
    );
  }
  const { targets, values, calldatas } = encodeProposalActions(client.addresses, p.actions);
  await writeAndWait(client, "Proposing", {
    address: client.addresses.governor,
    abi: governorAbi,
    functionName: "propose",
    args: [targets, values, calldatas, p.description],
  });
  const id = await governorRead<bigint>(client, "hashProposal", [
    targets,
    values,
    calldatas,
    keccak256(toHex(p.description)),
  ]);
  return getProposal(client, id);
}

/** Votes on a proposal: 0 against, 1 for, 2 abstain. */
export async function castVote(
  client: PlasmaClient,
  p: { ref: string | bigint; support: 0 | 1 | 2; reason?: string | undefined },
): Promise<{ hash: Hex; proposal: Proposal; weight: bigint }> {
  const me = accountAddress(client, "Voting");
  const proposal = await getProposal(client, p.ref);
  if (proposal.state === "Pending") {
    throw new NothingToDoError(
      `Voting on proposal ${proposal.number} opens at ${when(proposal.voteStart)}.`,
      "Vote after that.",
    );
  }
  if (proposal.state !== "Active") {
    throw new NothingToDoError(
      `Voting on proposal ${proposal.number} is closed: it is ${proposal.state}.`,
      "See it with `plasma gov show`.",
    );
  }
  const voted = await governorRead<boolean>(client, "hasVoted", [proposal.id, me]);
  if (voted)
    throw new NothingToDoError(`${me} has already voted on proposal ${proposal.number}.`, "One vote per account.");
  const receipt = await writeAndWait(client, "Voting", {
    address: client.addresses.governor,
    abi: governorAbi,
    functionName: p.reason ? "castVoteWithReason" : "castVote",
    args: p.reason ? [proposal.id, p.support, p.reason] : [proposal.id, p.support],
  });
  const weight = await governorRead<bigint>(client, "getVotes", [me, BigInt(proposal.voteStart)]);
  return { hash: receipt.transactionHash, proposal: await getProposal(client, proposal.id), weight };
}

/** Queues a passed proposal in the timelock. */
export async function queueProposal(client: PlasmaClient, ref: string | bigint): Promise<Proposal> {
  const proposal = await getProposal(client, ref);
  if (proposal.state !== "Succeeded") {
    throw new NothingToDoError(
      `Proposal ${proposal.number} is ${proposal.state}; only a proposal that passed can be queued.`,
      proposal.state === "Active" ? `Voting ends at ${when(proposal.voteEnd)}.` : "See it with `plasma gov show`.",
    );
  }
  await writeAndWait(client, "Queueing", {
    address: client.addresses.governor,
    abi: governorAbi,
    functionName: "queue",
    args: [proposal.targets, proposal.values, proposal.calldatas, keccak256(toHex(proposal.description))],
  });
  return getProposal(client, proposal.id);
}

/** Executes a queued proposal whose timelock delay has passed. */
export async function executeProposal(client: PlasmaClient, ref: string | bigint): Promise<Proposal> {
  const proposal = await getProposal(client, ref);
  if (proposal.state !== "Queued") {
    throw new NothingToDoError(
      `Proposal ${proposal.number} is ${proposal.state}; only a queued proposal can be executed.`,
      proposal.state === "Succeeded" ? "Queue it first: `plasma gov queue`." : "See it with `plasma gov show`.",
    );
  }
  const now = await chainNow(client);
  if (now < proposal.eta) {
    throw new NothingToDoError(
      `Proposal ${proposal.number} waits in the timelock until ${when(proposal.eta)}.`,
      "Execute it after that.",
    );
  }
  await writeAndWait(client, "Executing", {
    address: client.addresses.governor,
    abi: governorAbi,
    functionName: "execute",
    args: [proposal.targets, proposal.values, proposal.calldatas, keccak256(toHex(proposal.description))],
  });
  return getProposal(client, proposal.id);
}
