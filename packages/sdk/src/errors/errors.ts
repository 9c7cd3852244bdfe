import { PlasmaError } from "./base.ts";

/** The deployment file is missing. */
export class DeploymentNotFoundError extends PlasmaError {
  override name = "DeploymentNotFoundError";
  constructor(path: string) {
    super(`No Plasma deployment found at ${path}.`, {
      metaMessages: [
        "Start a local network with `npm start` (runs `plasma dev`), or deploy with `plasma deploy --rpc URL`,",
        "or point to a deployment file with --deployment FILE or PLASMA_DEPLOYMENT.",
      ],
    });
  }
}

/** The deployment file exists but does not describe a deployment. */
export class InvalidDeploymentError extends PlasmaError {
  override name = "InvalidDeploymentError";
  constructor(path: string, problem: string) {
    super(`The deployment file ${path} is not valid: ${problem}.`, {
      metaMessages: ["Re-create it with `plasma dev` or `plasma deploy`."],
    });
  }
}

/** The chain's RPC endpoint does not answer. */
export class RpcUnreachableError extends PlasmaError {
  override name = "RpcUnreachableError";
  constructor(rpcUrl: string, cause?: unknown) {
    super(`Cannot reach the chain at ${rpcUrl}.`, {
      metaMessages: ["Is the devnet running? Start it with `npm start`, or check --rpc."],
      retryable: true,
      cause,
    });
  }
}

/** The chain answers with another chain id than the deployment's. */
export class ChainMismatchError extends PlasmaError {
  override name = "ChainMismatchError";
  constructor(rpcUrl: string, expected: number, actual: number) {
    super(`The chain at ${rpcUrl} has id ${actual}, but the deployment is for chain ${expected}.`, {
      metaMessages: ["Use the deployment file written for this chain, or restart `plasma dev`."],
    });
  }
}

/** The deployment's contracts are not on the chain (e.g. the devnet was restarted). */
export class ContractsNotDeployedError extends PlasmaError {
  override name = "ContractsNotDeployedError";
  constructor(address: string, rpcUrl: string) {
    super(`No contract at ${address} on ${rpcUrl}: the deployment file is stale.`, {
      metaMessages: ["Restart `plasma dev`, or deploy again with `plasma deploy`."],
    });
  }
}

/** A write was attempted without an account. */
export class AccountRequiredError extends PlasmaError {
  override name = "AccountRequiredError";
  constructor(action: string) {
    super(`${action} needs an account to sign with.`, {
      metaMessages: ["Pass --account NAME (devnet accounts) or set PLASMA_PRIVATE_KEY."],
    });
  }
}

/** The account does not hold enough XPL for what it is about to do. */
export class InsufficientXplError extends PlasmaError {
  override name = "InsufficientXplError";
  readonly need: bigint;
  readonly have: bigint;
  constructor(account: string, need: bigint, have: bigint, format: (wei: bigint) => string) {
    super(`${account} holds ${format(have)}, but this needs ${format(need)}.`, {
      metaMessages: ["Get more XPL, or ask for fewer GPUs or seconds."],
    });
    this.need = need;
    this.have = have;
  }
}

/** A transaction was mined but reverted. */
export class TransactionRevertedError extends PlasmaError {
  override name = "TransactionRevertedError";
  constructor(hash: string) {
    super(`Transaction ${hash} reverted.`, { metaMessages: ["Inspect it with `cast run` or the explorer."] });
  }
}

/** A value given to the SDK is out of range or malformed. */
export class InvalidArgumentError extends PlasmaError {
  override name = "InvalidArgumentError";
  constructor(what: string, fix: string) {
    super(what, { metaMessages: [fix] });
  }
}

/** The call would do nothing: nothing to claim, withdraw or undelegate (yet). */
export class NothingToDoError extends PlasmaError {
  override name = "NothingToDoError";
  constructor(what: string, fix: string) {
    super(what, { metaMessages: [fix] });
  }
}

const utc = (unix: number) => new Date(unix * 1000).toISOString().replace(".000Z", "Z");

/** No proposal has this number or id. */
export class ProposalNotFoundError extends InvalidArgumentError {
  override name = "ProposalNotFoundError";
  constructor(ref: string, count: number) {
    super(
      `There is no proposal ${ref} (${count ? `there are ${count}` : "there are none yet"}).`,
      "List them with `plasma gov list`.",
    );
  }
}

/** A vote was cast before the proposal's voting delay ended. */
export class VotingNotOpenError extends PlasmaError {
  override name = "VotingNotOpenError";
  /** The first second a vote counts (unix seconds). */
  readonly opensAt: number;
  constructor(proposal: number, opensAt: number) {
    super(`Voting on proposal ${proposal} has not opened yet; it opens at ${utc(opensAt)}.`, {
      metaMessages: ["Vote after that (on the devnet, `plasma warp` moves the clock)."],
    });
    this.opensAt = opensAt;
  }
}

/** A vote was cast on a proposal whose voting is over. */
export class VotingClosedError extends PlasmaError {
  override name = "VotingClosedError";
  readonly state: string;
  constructor(proposal: number, state: string) {
    super(`Voting on proposal ${proposal} is closed: it is ${state}.`, {
      metaMessages: [`See its result with \`plasma gov show ${proposal}\`.`],
    });
    this.state = state;
  }
}

/** The account has voted on this proposal already. */
export class AlreadyVotedError extends PlasmaError {
  override name = "AlreadyVotedError";
  constructor(account: string, proposal: number) {
    super(`${account} has already voted on proposal ${proposal}.`, {
      metaMessages: ["Each account votes once; another account can vote with --account."],
    });
  }
}

/** The proposer's votes are below the governor's proposal threshold. */
export class InsufficientVotesError extends PlasmaError {
  override name = "InsufficientVotesError";
  readonly have: bigint;
  readonly need: bigint;
  constructor(account: string, have: bigint, need: bigint, format: (wei: bigint) => string, fix: string) {
    super(`Proposing needs ${format(need)} of votes; ${account} has ${format(have)}.`, { metaMessages: [fix] });
    this.have = have;
    this.need = need;
  }
}

/** A proposal names a parameter ProtocolParameters does not have. */
export class UnknownParameterError extends InvalidArgumentError {
  override name = "UnknownParameterError";
  constructor(parameter: string, known: readonly string[]) {
    super(`There is no governed parameter named "${parameter}".`, `Governed parameters: ${known.join(", ")}.`);
  }
}

/** A proposed value lies outside the parameter's hard bounds (read from the chain). */
export class ParameterOutOfBoundsError extends InvalidArgumentError {
  override name = "ParameterOutOfBoundsError";
  readonly min: bigint;
  readonly max: bigint;
  constructor(parameter: string, value: bigint, min: bigint, max: bigint, format: (v: bigint) => string) {
    super(
      `${parameter} must lie between ${format(min)} and ${format(max)}; ${format(value)} is out of bounds.`,
      "Propose a value inside the bounds: they are fixed in the contract, and not even a passed proposal can cross them.",
    );
    this.min = min;
    this.max = max;
  }
}

/** The proposal's grants add up to more XPL than the treasury holds. */
export class InsufficientTreasuryError extends PlasmaError {
  override name = "InsufficientTreasuryError";
  readonly need: bigint;
  readonly have: bigint;
  constructor(treasury: string, need: bigint, have: bigint, format: (wei: bigint) => string) {
    super(`The grants add up to ${format(need)}, but the treasury holds ${format(have)}.`, {
      metaMessages: [`Grant at most what the treasury holds (\`plasma balance ${treasury}\`).`],
    });
    this.need = need;
    this.have = have;
  }
}

/** A proposal is not in the state this step needs (queue a passed one, execute a queued one). */
export class ProposalStateError extends PlasmaError {
  override name = "ProposalStateError";
  readonly state: string;
  constructor(proposal: number, state: string, step: "queued" | "executed", fix: string) {
    const needs = step === "queued" ? "a proposal that passed (Succeeded)" : "a queued proposal";
    super(`Proposal ${proposal} is ${state}; only ${needs} can be ${step}.`, { metaMessages: [fix] });
    this.state = state;
  }
}

/** A queued proposal's timelock delay has not passed yet. */
export class TimelockNotReadyError extends PlasmaError {
  override name = "TimelockNotReadyError";
  /** When it may be executed (unix seconds). */
  readonly eta: number;
  constructor(proposal: number, eta: number) {
    super(`Proposal ${proposal} waits in the timelock until ${utc(eta)}.`, {
      metaMessages: [`Execute it after that: \`plasma gov execute ${proposal}\`.`],
    });
    this.eta = eta;
  }
}
