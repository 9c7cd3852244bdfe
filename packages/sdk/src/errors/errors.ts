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
