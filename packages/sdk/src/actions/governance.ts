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
import { ContractRevertError, plasmaErrorsAbi } from "../errors/contract.ts";
import {
  AlreadyVotedError,
  InsufficientTreasuryError,
  InsufficientVotesError,
  InvalidArgumentError,
  NothingToDoError,
  ParameterOutOfBoundsError,
  ProposalNotFoundError,
  ProposalStateError,
  TimelockNotReadyError,
  UnknownParameterError,
  VotingClosedError,
  VotingNotOpenError,
} from "../errors/errors.ts";
import { formatXpl, getVotingPower, getXplBalance } from "./token.ts";

const governorAbi = [...plasmaGovernorAbi, ...plasmaErrorsAbi] as const;

/**
 * How a parameter's value is written and read by people: `bps` whole basis points (300 = 3 %),
 * `seconds` a duration, `xpl` an XPL amount (stored in wei).
 */
export type ParameterKind = "bps" | "seconds" | "xpl";

/**
 * Every numeric parameter of ProtocolParameters, by its on-chain name (`setParameter(bytes32 name, …)`).
 * Everything else (checks, parsing, display, the CLI) is driven by this table: a new parameter is one row.
 */
export const GOVERNED_PARAMETERS = {
  protocolFeeBps: { kind: "bps", description: "share of every lease payment that goes to the protocol" },
  builderShareBps: { kind: "bps", description: "share of the protocol fee paid to a lease's builder" },
  noShowPenaltyBps: { kind: "bps", description: "share of a lease's escrow slashed from a provider that never starts" },
  startDeadline: { kind: "seconds", description: "time a provider has to start an opened lease" },
  noShowPenaltyCap: { kind: "xpl", description: "most XPL a single no-show penalty may take" },
  noShowBackingCapBps: {
    kind: "bps",
    description:
      "most of what a provider can lose (stake, delegations, unbonding) its no-show penalties may take per unbonding period",
  },
  noShowClientShareBps: {
    kind: "bps",
    description: "share of a no-show penalty paid to the client (at most half; the rest goes to the treasury)",
  },
  minProviderStake: { kind: "xpl", description: "stake (own + delegated) a provider needs to take leases" },
  unbondingPeriod: { kind: "seconds", description: "time between an unstake or undelegation and its withdrawal" },
  emissionPerEpoch: { kind: "xpl", description: "XPL the rewards pool pays out per epoch" },
  rewardFeeCapBps: {
    kind: "bps",
    description: "a provider's epoch reward is at most this share of the fee its work paid",
  },
  samplingRateBps: { kind: "bps", description: "chance that a completed verified lease is re-executed by a validator" },
  verificationFeeBps: { kind: "bps", description: "fee a verified lease pays on top of its value, for validators" },
  collateralRatioBps: {
    kind: "bps",
    description: "backing a provider needs per XPL of verified leases it holds (100000 = 10x)",
  },
  verificationWindow: { kind: "seconds", description: "time each party has for each verification step" },
  validatorSlashBps: { kind: "bps", description: "share of a validator's stake taken when it loses a dispute" },
  bountyBps: { kind: "bps", description: "share of a slash (after refunds) paid to the parties proven right" },
  minValidatorStake: { kind: "xpl", description: "stake a validator needs to be assigned verifications" },
  missedWindowPenalty: { kind: "xpl", description: "XPL a validator loses when it misses a verification step" },
  toleranceAuditBps: {
    kind: "bps",
    description: "chance that a tolerance-mode match is re-executed by a second validator (at least 5%)",
  },
  channelChallengePeriod: {
    kind: "seconds",
    description: "time a provider has to redeem its last voucher after a client asks to close a payment channel",
  },
} as const satisfies Record<string, { kind: ParameterKind; description: string }>;

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
  /** Votes (for + abstain) needed for it to pass: at the snapshot, or now while it is pending. */
  quorum: bigint;
  /** The snapshot (unix seconds): voting power is counted as it was then. */
  voteStart: number;
  /** The first second a vote counts (`voteStart + 1`: OpenZeppelin's Governor is Pending up to the snapshot). */
  votingOpensAt: number;
  /** The deadline (unix seconds): the last second a vote counts. */
  voteEnd: number;
  /** When a queued proposal may run (unix seconds; 0 when not queued). */
  eta: number;
};

/** How to vote: the governor's `support` values by name. */
export const VOTE_SUPPORT = { against: 0, for: 1, abstain: 2 } as const;
export type VoteSupport = keyof typeof VOTE_SUPPORT;

/** The names of the governed parameters, in table order. */
export function governedParameterNames(): GovernedParameter[] {
  return Object.keys(GOVERNED_PARAMETERS) as GovernedParameter[];
}

/** Whether `name` is a row of {@link GOVERNED_PARAMETERS}. */
export function isGovernedParameter(name: string): name is GovernedParameter {
  return Object.hasOwn(GOVERNED_PARAMETERS, name);
}

/**
 * Turns proposal actions into the governor's targets, values and calldatas: a parameter change calls
 * `ProtocolParameters.setParameter(name as bytes32, value)`, a treasury move `setTreasury(address)`,
 * a grant the timelock's `XPLToken.transfer(to, amount)`; `call` passes through.
 * @example
 * const { targets, values, calldatas } = encodeProposalActions(client.addresses, [
 *   { kind: "grant", to: builder, amount: parseEther("2500") },
 * ]);
 */
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

/**
 * The inverse of {@link encodeProposalActions}; calls it does not recognise (another target, a
 * parameter outside the table, ETH attached) come back as raw `call`s.
 * @example const actions = decodeProposalActions(client.addresses, targets, values, calldatas);
 */
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

/**
 * The block a transaction sent now lands in, and the tag to read the chain as it will be there.
 * A devnet's clock runs between blocks (and with `plasma warp`), so the latest block may be seconds old:
 * `pending` answers with the next block's timestamp. Where an RPC does not serve it, the latest + 1 s.
 */
type At = { blockTag: "pending" | "latest"; time: number };

async function nextBlock(client: PlasmaClient): Promise<At> {
  try {
    const pending = await client.public.getBlock({ blockTag: "pending" });
    return { blockTag: "pending", time: Number(pending.timestamp) };
  } catch {
    const latest = await read(client, () => client.public.getBlock());
    return { blockTag: "latest", time: Number(latest.timestamp) + 1 };
  }
}

function governorRead<T>(
  client: PlasmaClient,
  functionName: string,
  args: readonly unknown[] = [],
  blockTag: At["blockTag"] = "latest",
): Promise<T> {
  return read(
    client,
    () =>
      client.public.readContract({
        address: client.addresses.governor,
        abi: governorAbi,
        functionName,
        args,
        blockTag,
      } as never) as Promise<T>,
  );
}

type CreatedLog = {
  proposalId: bigint;
  proposer: Address;
  targets: readonly Address[];
  values: readonly bigint[];
  calldatas: readonly Hex[];
  voteStart: bigint;
  voteEnd: bigint;
  description: string;
};

/** Every ProposalCreated since the deployment, oldest first: the proposals' numbers are their positions + 1. */
async function createdLogs(client: PlasmaClient): Promise<CreatedLog[]> {
  const logs = await read(client, () =>
    client.public.getContractEvents({
      address: client.addresses.governor,
      abi: plasmaGovernorAbi,
      eventName: "ProposalCreated",
      fromBlock: BigInt(client.deployment.deployedAtBlock),
    }),
  );
  return logs.map((log) => log.args as CreatedLog);
}

async function loadProposal(client: PlasmaClient, a: CreatedLog, number: number, at: At): Promise<Proposal> {
  // quorum() only looks back: a pending proposal's snapshot is still ahead, so take the last second.
  const quorumAt = Number(a.voteStart) < at.time ? a.voteStart : BigInt(at.time - 1);
  const [state, votes, eta, quorum] = await Promise.all([
    governorRead<number>(client, "state", [a.proposalId], at.blockTag),
    governorRead<readonly [bigint, bigint, bigint]>(client, "proposalVotes", [a.proposalId], at.blockTag),
    governorRead<bigint>(client, "proposalEta", [a.proposalId], at.blockTag),
    governorRead<bigint>(client, "quorum", [quorumAt], at.blockTag),
  ]);
  return {
    number,
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
    votingOpensAt: Number(a.voteStart) + 1,
    voteEnd: Number(a.voteEnd),
    eta: Number(eta),
  };
}

/**
 * Every proposal made since the deployment, oldest first, numbered 1, 2, 3… in creation order, with
 * its actions decoded and its state, votes and quorum as a transaction sent now would see them.
 * @example const proposals = await listProposals(client); // [{ number: 1, state: "Active", … }]
 */
export async function listProposals(client: PlasmaClient): Promise<Proposal[]> {
  const [logs, at] = await Promise.all([createdLogs(client), nextBlock(client)]);
  return Promise.all(logs.map((log, i) => loadProposal(client, log, i + 1, at)));
}

/**
 * Finds one proposal.
 * @param ref Its number (1, 2, … as `listProposals` numbers them) or its full id (decimal or 0x hex).
 * @example const proposal = await getProposal(client, 1);
 */
export async function getProposal(client: PlasmaClient, ref: string | number | bigint): Promise<Proposal> {
  return (await findProposal(client, ref)).proposal;
}

async function findProposal(
  client: PlasmaClient,
  ref: string | number | bigint,
): Promise<{ proposal: Proposal; at: At }> {
  const text = String(ref).trim();
  if (!/^(\d+|0x[0-9a-fA-F]+)$/.test(text)) {
    throw new InvalidArgumentError(
      `"${text}" is not a proposal number or id.`,
      "Pass the number `plasma gov list` shows, or the full id.",
    );
  }
  const wanted = BigInt(text);
  const [logs, at] = await Promise.all([createdLogs(client), nextBlock(client)]);
  let index = logs.findIndex((log) => log.proposalId === wanted);
  if (index < 0 && wanted >= 1n && wanted <= BigInt(logs.length)) index = Number(wanted) - 1;
  const log = logs[index];
  if (!log) throw new ProposalNotFoundError(text, logs.length);
  return { proposal: await loadProposal(client, log, index + 1, at), at };
}

const ZERO_ADDRESS = /^0x0{40}$/;

const formatUtc = (unix: number) => new Date(unix * 1000).toISOString().replace(".000Z", "Z");

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
    if (action.kind === "set-parameter" && !isGovernedParameter(action.name)) {
      throw new UnknownParameterError(action.name, governedParameterNames());
    }
    if (action.kind === "set-treasury" && ZERO_ADDRESS.test(action.address)) {
      throw new InvalidArgumentError(
        "The treasury cannot be the zero address.",
        "Name the address that should receive protocol fees.",
      );
    }
    if (action.kind === "grant" && (ZERO_ADDRESS.test(action.to) || action.amount <= 0n)) {
      throw new InvalidArgumentError(
        `A grant of ${formatXpl(action.amount)} to ${action.to} cannot be paid.`,
        "Grant a positive amount to a real address.",
      );
    }
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
        throw new ParameterOutOfBoundsError(action.name, action.value, min, max, (v) =>
          formatParameter(action.name, v),
        );
      }
    }
    if (action.kind === "grant") granted += action.amount;
  }
  if (granted > 0n) {
    const treasury = await getXplBalance(client, client.addresses.timelock);
    if (granted > treasury)
      throw new InsufficientTreasuryError(client.addresses.timelock, granted, treasury, formatXpl);
  }
}

/** Formats a parameter's value in its unit: `500 bps (5 %)`, `604800 s (7d)`, `1000 XPL`. */
export function formatParameter(name: GovernedParameter, value: bigint): string {
  const kind: ParameterKind = GOVERNED_PARAMETERS[name].kind;
  switch (kind) {
    case "bps":
      return `${value} bps (${Number(value) / 100} %)`;
    case "xpl":
      return formatXpl(value);
    case "seconds":
      return `${value} s (${durationText(value)})`;
  }
}

function durationText(seconds: bigint): string {
  const parts: string[] = [];
  let rest = seconds;
  for (const [unit, size] of [
    ["d", 86_400n],
    ["h", 3600n],
    ["m", 60n],
    ["s", 1n],
  ] as const) {
    if (rest >= size) parts.push(`${rest / size}${unit}`);
    rest %= size;
  }
  return parts.length ? parts.join(" ") : "0s";
}

/**
 * Proposes actions to the governor. Checks before sending: known parameters inside their on-chain
 * bounds, grants the treasury covers, no identical proposal, and enough votes to propose.
 * @param p The actions and a description (what it does and why; it is part of the proposal's id).
 * @returns The new proposal, with its number.
 * @example
 * const proposal = await propose(client, {
 *   actions: [{ kind: "set-parameter", name: "protocolFeeBps", value: 300n }],
 *   description: "Lower the protocol fee to 3 %",
 * });
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
  // The governor counts the proposer's votes one second before the block the proposal lands in.
  const at = await nextBlock(client);
  const [threshold, power, balance] = await Promise.all([
    governorRead<bigint>(client, "proposalThreshold"),
    getVotingPower(client, me),
    getXplBalance(client, me),
  ]);
  const counted =
    at.blockTag === "pending"
      ? await governorRead<bigint>(client, "getVotes", [me, BigInt(at.time - 1)], "pending")
      : power.votes;
  const tooFew = (have: bigint, fix: string) => new InsufficientVotesError(me, have, threshold, formatXpl, fix);
  const sameSecond = () =>
    tooFew(
      0n,
      `Your ${formatXpl(power.votes)} of votes were delegated in this very second and count from the next one: propose again in a moment.`,
    );
  if (counted < threshold) {
    if (power.votes >= threshold) throw sameSecond();
    const others = `ask holders to delegate to you (\`plasma delegate ${me}\` from their accounts)`;
    throw tooFew(
      counted,
      power.delegate === null
        ? balance >= threshold
          ? `Your ${formatXpl(balance)} count as votes only once delegated: run \`plasma delegate\`, then propose again.`
          : `Run \`plasma delegate\` to count your own ${formatXpl(balance)}, and ${others}.`
        : isAddressEqual(power.delegate, me)
          ? `Your own XPL is not enough: ${others}.`
          : `Your XPL votes through ${power.delegate}: take it back with \`plasma delegate\`, or ${others}.`,
    );
  }
  const { targets, values, calldatas } = encodeProposalActions(client.addresses, p.actions);
  const id = await governorRead<bigint>(client, "hashProposal", [
    targets,
    values,
    calldatas,
    keccak256(toHex(p.description)),
  ]);
  if ((await governorRead<bigint>(client, "proposalSnapshot", [id])) !== 0n) {
    const existing = await getProposal(client, id);
    throw new InvalidArgumentError(
      `Proposal ${existing.number} (${existing.state}) already proposes exactly these actions with this description.`,
      "Vote on that one, or change the description to propose the same actions again.",
    );
  }
  try {
    await writeAndWait(client, "Proposing", {
      address: client.addresses.governor,
      abi: governorAbi,
      functionName: "propose",
      args: [targets, values, calldatas, p.description],
    });
  } catch (error) {
    // The same second as a delegation, where the RPC could not tell which block comes next.
    if (error instanceof ContractRevertError && error.errorName === "GovernorInsufficientProposerVotes") {
      throw sameSecond();
    }
    throw error;
  }
  return getProposal(client, id);
}

/**
 * Votes on a proposal with the voting power the account had at its snapshot.
 * @param ref The proposal's number (1, 2, …) or full id.
 * @param support `for`, `against` or `abstain`.
 * @param reason Recorded on chain with the vote when given.
 * @example await castVote(client, 1, "for", "cheaper compute");
 */
export async function castVote(
  client: PlasmaClient,
  ref: string | number | bigint,
  support: VoteSupport,
  reason?: string,
): Promise<{ hash: Hex; proposal: Proposal; weight: bigint }> {
  const me = accountAddress(client, "Voting");
  if (!Object.hasOwn(VOTE_SUPPORT, support)) {
    throw new InvalidArgumentError(`"${support}" is not a vote.`, "Vote for, against or abstain.");
  }
  const { proposal } = await findProposal(client, ref);
  if (proposal.state === "Pending") throw new VotingNotOpenError(proposal.number, proposal.votingOpensAt);
  if (proposal.state !== "Active") throw new VotingClosedError(proposal.number, proposal.state);
  const [voted, weight] = await Promise.all([
    governorRead<boolean>(client, "hasVoted", [proposal.id, me]),
    governorRead<bigint>(client, "getVotes", [me, BigInt(proposal.voteStart)]),
  ]);
  if (voted) throw new AlreadyVotedError(me, proposal.number);
  if (weight === 0n) {
    throw new NothingToDoError(
      `${me} had no votes at proposal ${proposal.number}'s snapshot (${formatUtc(proposal.voteStart)}): its vote would count 0.`,
      "XPL votes once delegated before a proposal's snapshot: run `plasma delegate` now to vote on the next ones.",
    );
  }
  const receipt = await writeAndWait(client, "Voting", {
    address: client.addresses.governor,
    abi: governorAbi,
    functionName: reason ? "castVoteWithReason" : "castVote",
    args: reason ? [proposal.id, VOTE_SUPPORT[support], reason] : [proposal.id, VOTE_SUPPORT[support]],
  });
  return { hash: receipt.transactionHash, proposal: await getProposal(client, proposal.id), weight };
}

/** Sends `queue` or `execute`: both take the proposal's calls and its description's hash. */
function runProposal(client: PlasmaClient, action: string, functionName: "queue" | "execute", proposal: Proposal) {
  return writeAndWait(client, action, {
    address: client.addresses.governor,
    abi: governorAbi,
    functionName,
    args: [proposal.targets, proposal.values, proposal.calldatas, keccak256(toHex(proposal.description))],
  });
}

/**
 * Queues a passed (Succeeded) proposal in the timelock; anyone may. Its description hash comes from
 * the creation log.
 * @returns The proposal, Queued, with its `eta`.
 * @example const { eta } = await queueProposal(client, 1);
 */
export async function queueProposal(client: PlasmaClient, ref: string | number | bigint): Promise<Proposal> {
  const { proposal } = await findProposal(client, ref);
  if (proposal.state !== "Succeeded") {
    const n = proposal.number;
    throw new ProposalStateError(
      n,
      proposal.state,
      "queued",
      proposal.state === "Pending" || proposal.state === "Active"
        ? `Voting ends at ${formatUtc(proposal.voteEnd)}; queue it after that if it passed.`
        : proposal.state === "Queued"
          ? `It is queued already: execute it with \`plasma gov execute ${n}\` once the timelock allows.`
          : `See why with \`plasma gov show ${n}\`.`,
    );
  }
  await runProposal(client, "Queueing", "queue", proposal);
  return getProposal(client, proposal.id);
}

/**
 * Executes a queued proposal once its timelock delay has passed (from its `eta` on); anyone may.
 * @returns The proposal, Executed.
 * @example await executeProposal(client, 1);
 */
export async function executeProposal(client: PlasmaClient, ref: string | number | bigint): Promise<Proposal> {
  const { proposal, at } = await findProposal(client, ref);
  if (proposal.state !== "Queued") {
    const n = proposal.number;
    throw new ProposalStateError(
      n,
      proposal.state,
      "executed",
      proposal.state === "Succeeded"
        ? `Queue it first: \`plasma gov queue ${n}\`.`
        : `See why with \`plasma gov show ${n}\`.`,
    );
  }
  // The timelock runs an operation from its eta on (block.timestamp >= eta).
  if (at.time < proposal.eta) throw new TimelockNotReadyError(proposal.number, proposal.eta);
  await runProposal(client, "Executing", "execute", proposal);
  return getProposal(client, proposal.id);
}

/** A harsher parameter change waiting for its notice to pass (see `isHarsher` on ProtocolParameters). */
export type ScheduledChange = { name: GovernedParameter; value: bigint; appliesAt: number };

/**
 * The change of `name` waiting to apply, or null. A harsher change (a penalty raise, any change of the unbonding
 * period, a cut of a time to act) waits the unbonding period plus a day after the proposal that set it ran.
 * @example const waiting = await getScheduledChange(client, "validatorSlashBps");
 */
export async function getScheduledChange(
  client: PlasmaClient,
  name: GovernedParameter,
): Promise<ScheduledChange | null> {
  const [value, appliesAt] = await read(client, () =>
    client.public.readContract({
      address: client.addresses.protocolParameters,
      abi: protocolParametersAbi,
      functionName: "scheduledChange",
      args: [stringToHex(name, { size: 32 })],
    }),
  );
  return appliesAt === 0n ? null : { name, value, appliesAt: Number(appliesAt) };
}

/**
 * Applies a scheduled harsher change once its time has come; anyone may.
 * @returns The transaction hash.
 * @example await applyParameterChange(client, "validatorSlashBps");
 */
export async function applyParameterChange(client: PlasmaClient, name: GovernedParameter): Promise<Hex> {
  const receipt = await writeAndWait(client, `Applying the change of ${name}`, {
    address: client.addresses.protocolParameters,
    abi: protocolParametersAbi,
    functionName: "applyParameter",
    args: [stringToHex(name, { size: 32 })],
  });
  return receipt.transactionHash;
}
