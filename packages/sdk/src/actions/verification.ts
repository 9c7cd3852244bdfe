import { computeMarketAbi, providerRegistryAbi, verificationManagerAbi } from "@plasma/contracts";
import { type Address, encodeAbiParameters, type Hex, keccak256, zeroAddress, zeroHash } from "viem";
import { accountAddress, type PlasmaClient, read, writeAndWait } from "../clients/createPlasmaClient.ts";
import { plasmaErrorsAbi } from "../errors/contract.ts";
import { VERIFICATION_MODES, type VerificationMode } from "./market.ts";
import { VERIFICATION_STAGES, type VerificationStage } from "./verificationStages.ts";

export { VERIFICATION_STAGES, type VerificationStage };

const verifierAbi = [...verificationManagerAbi, ...plasmaErrorsAbi] as const;

/** What each stage means to a person reading `plasma lease show`. */
export const VERIFICATION_STAGE_TEXT: Record<VerificationStage, string> = {
  none: "not verified (no verification requested, or not completed)",
  pending: "waiting for a draw: the sampling draw, or whether a tolerance-mode match is audited",
  "needs-validator":
    "sampled, disputed or audited: waiting for a validator to be drawn; a dispute's payout stays locked meanwhile",
  assigned: "a validator is re-running the job (a dispute: two more validators, each committing blind)",
  committed: "the validator committed its result; the provider must reveal its salt",
  revealed: "the validator is comparing results",
  "final-reveal": "disputed: the three validators are revealing the results they committed to blind",
  released: "not sampled: payout released",
  verified: "re-executed by a validator: the result matches",
  failed: "re-executed: the result did not match; the provider was slashed and the client refunded",
  refunded:
    "disputed, and no result reproduced (or no validators drawn in time): the client was refunded; the provider was neither paid nor slashed",
};

/** A lease's verification, with its validators. */
export type Verification = {
  leaseId: bigint;
  mode: VerificationMode;
  stage: VerificationStage;
  /**
   * 1: first validator; 2: dispute (exact mode: a committee of validators 2 and 3, drawn together), or audit of a
   * tolerance-mode match (`audit`); 3: a third breaks a tolerance-mode contradiction.
   */
  round: number;
  drawBlock: bigint;
  /** End of the current step's window (unix seconds; 0 when none). */
  deadline: number;
  locked: bigint;
  /** Its draw went stale and was re-armed: sampled for sure, and each validator is paid at most `fee`. */
  forced: boolean;
  /** Rounds 2 and 3 audit the first validator's tolerance-mode match (rather than its mismatch). */
  audit: boolean;
  /** The verification fee the lease paid. */
  fee: bigint;
  /** The most one validator whose verdict is upheld is paid for this lease. */
  payCap: bigint;
  validator1: Address | null;
  validator2: Address | null;
  validator3: Address | null;
  /** The validators' commitments to their own results (null until made): nothing is served to one before its own. */
  commitments: [Hex | null, Hex | null, Hex | null];
  /** Results the validators revealed (a tolerance-mode match publishes the first's; final reveals the others). */
  results: [Hex | null, Hex | null, Hex | null];
  providerSaltRevealed: boolean;
  providerSalt: Hex | null;
};

/** A provider's reputation, counted on chain. */
export type Reputation = {
  /** Leases completed with a result. */
  completed: number;
  /** Of those, drawn for re-execution. */
  sampled: number;
  /** Reproduced by a validator. */
  verified: number;
  /** Not reproduced (or not revealed): slashed. */
  failed: number;
  /** Failures decided by a second validator. */
  disputesLost: number;
  /** Leases it did not start by their deadline, cancelled by their client. */
  noShows: number;
};

function call<T>(client: PlasmaClient, functionName: string, args: readonly unknown[] = []): Promise<T> {
  return read(
    client,
    () =>
      client.public.readContract({
        address: client.addresses.verificationManager,
        abi: verifierAbi,
        functionName,
        args,
      } as never) as Promise<T>,
  );
}

function send(client: PlasmaClient, action: string, functionName: string, args: readonly unknown[]) {
  return writeAndWait(client, action, {
    address: client.addresses.verificationManager,
    abi: verifierAbi,
    functionName,
    args,
  });
}

/** The commitment a validator makes before it may see anything of the provider's result. */
export function validatorCommitment(leaseId: bigint, validator: Address, resultHash: Hex, salt: Hex): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: "uint256" }, { type: "address" }, { type: "bytes32" }, { type: "bytes32" }],
      [leaseId, validator, resultHash, salt],
    ),
  );
}

/** Reads a lease's verification (stage `none` when it has none). */
export async function getVerification(client: PlasmaClient, leaseId: bigint): Promise<Verification> {
  const [v, a] = await Promise.all([
    call<{
      mode: number;
      stage: number;
      round: number;
      drawBlock: bigint;
      deadline: number;
      locked: bigint;
      forced: boolean;
      audit: boolean;
      fee: bigint;
      payCap: bigint;
    }>(client, "getVerification", [leaseId]),
    call<{
      validator1: Address;
      validator2: Address;
      validator3: Address;
      commit1: Hex;
      commit2: Hex;
      commit3: Hex;
      providerSalt: Hex;
      result1: Hex;
      result2: Hex;
      result3: Hex;
      saltRevealed: boolean;
    }>(client, "getAssignment", [leaseId]),
  ]);
  const orNull = (h: Hex) => (h === zeroHash ? null : h);
  return {
    leaseId,
    mode: VERIFICATION_MODES[v.mode] ?? "none",
    stage: VERIFICATION_STAGES[v.stage] ?? "none",
    round: v.round,
    drawBlock: v.drawBlock,
    deadline: Number(v.deadline),
    locked: v.locked,
    forced: v.forced,
    audit: v.audit,
    fee: v.fee,
    payCap: v.payCap,
    validator1: a.validator1 === zeroAddress ? null : a.validator1,
    validator2: a.validator2 === zeroAddress ? null : a.validator2,
    validator3: a.validator3 === zeroAddress ? null : a.validator3,
    commitments: [orNull(a.commit1), orNull(a.commit2), orNull(a.commit3)],
    results: [orNull(a.result1), orNull(a.result2), orNull(a.result3)],
    providerSaltRevealed: a.saltRevealed,
    providerSalt: a.saltRevealed ? a.providerSalt : null,
  };
}

/** The validator whose turn it is, or null (an exact-mode dispute's committee: its second validator). */
export function currentValidator(v: Verification): Address | null {
  return v.round === 3 ? v.validator3 : v.round === 2 ? v.validator2 : v.validator1;
}

/** Whether the lease is in an exact-mode dispute: validators 2 and 3 commit blind together, then all three reveal. */
export function isCommittee(v: Verification): boolean {
  return v.mode === "exact" && v.round === 2;
}

/**
 * Which of the lease's validators (1, 2 or 3) `account` is if it must commit its result now, or 0: the current
 * validator of an `assigned` lease, or in an exact-mode dispute either committee member that has not committed.
 */
export function slotToCommit(v: Verification, account: Address): 0 | 1 | 2 | 3 {
  if (v.stage !== "assigned") return 0;
  const slot = validatorRound(v, account);
  if (isCommittee(v)) return slot >= 2 && v.commitments[slot - 1] === null ? slot : 0;
  return currentValidator(v)?.toLowerCase() === account.toLowerCase() ? slot : 0;
}

/** Which of the lease's validators (1, 2 or 3) `account` is, or 0 when none. */
export function validatorRound(v: Verification, account: Address): 0 | 1 | 2 | 3 {
  const me = account.toLowerCase();
  if (v.validator1?.toLowerCase() === me) return 1;
  if (v.validator2?.toLowerCase() === me) return 2;
  if (v.validator3?.toLowerCase() === me) return 3;
  return 0;
}

/** Reads a provider's reputation counters. */
export async function getReputation(client: PlasmaClient, provider: Address): Promise<Reputation> {
  const r = await call<Reputation>(client, "getReputation", [provider]);
  return {
    completed: r.completed,
    sampled: r.sampled,
    verified: r.verified,
    failed: r.failed,
    disputesLost: r.disputesLost,
    noShows: r.noShows,
  };
}

/** A provider's own stake plus what is delegated to it: what its collateral for verified leases is. */
export async function getBacking(client: PlasmaClient, provider: Address): Promise<bigint> {
  return read(client, () =>
    client.public.readContract({
      address: client.addresses.providerRegistry,
      abi: providerRegistryAbi,
      functionName: "backing",
      args: [provider],
    }),
  );
}

/** Value of a provider's verified leases that need collateral: open or running, and under verification. */
export async function getVerifiedExposure(client: PlasmaClient, provider: Address): Promise<bigint> {
  const [open, pending] = await Promise.all([
    read(client, () =>
      client.public.readContract({
        address: client.addresses.computeMarket,
        abi: computeMarketAbi,
        functionName: "exposure",
        args: [provider],
      }),
    ),
    call<bigint>(client, "pendingValue", [provider]),
  ]);
  return open + pending;
}

/**
 * Backing a provider must keep while it holds verified leases or leases under verification:
 * `collateralRatio × (exposure + pending verification value)`. No unstake or undelegation may take its
 * backing below this, nor a withdrawal its stake, delegations and unbonding queues together.
 * @example const locked = await getLockedCollateral(client, provider);
 */
export async function getLockedCollateral(client: PlasmaClient, provider: Address): Promise<bigint> {
  return read(client, () =>
    client.public.readContract({
      address: client.addresses.providerRegistry,
      abi: providerRegistryAbi,
      functionName: "lockedCollateral",
      args: [provider],
    }),
  );
}

/** Draws whether a completed lease is re-executed (anyone; from the block after completion). */
export async function drawVerification(client: PlasmaClient, leaseId: bigint): Promise<Hex> {
  return (await send(client, "Drawing a lease for verification", "draw", [leaseId])).transactionHash;
}

/** Draws a validator for a lease waiting for one (anyone). */
export async function assignValidator(client: PlasmaClient, leaseId: bigint): Promise<Hex> {
  return (await send(client, "Assigning a validator", "assign", [leaseId])).transactionHash;
}

/** Ends a verification step whose window has passed (anyone). */
export async function timeoutVerification(client: PlasmaClient, leaseId: bigint): Promise<Hex> {
  return (await send(client, "Ending a missed verification step", "timeout", [leaseId])).transactionHash;
}

/** The provider reveals the salt of its result commitment. */
export async function revealSalt(client: PlasmaClient, leaseId: bigint, salt: Hex): Promise<Hex> {
  return (await send(client, "Revealing the result salt", "revealSalt", [leaseId, salt])).transactionHash;
}

/** The assigned validator commits to its own result (its salt must be kept to reveal it later). */
export async function commitValidatorResult(
  client: PlasmaClient,
  leaseId: bigint,
  resultHash: Hex,
  salt: Hex,
): Promise<Hex> {
  const me = accountAddress(client, "Committing a verification result");
  const commitment = validatorCommitment(leaseId, me, resultHash, salt);
  return (await send(client, "Committing a verification result", "commitResult", [leaseId, commitment]))
    .transactionHash;
}

/** The assigned validator attests a match (revealing its result) or a mismatch. */
export async function attestVerdict(
  client: PlasmaClient,
  leaseId: bigint,
  verdict: { match: true; resultHash: Hex; salt: Hex } | { match: false },
): Promise<Hex> {
  const receipt = verdict.match
    ? await send(client, "Attesting a match", "attestMatch", [leaseId, verdict.resultHash, verdict.salt])
    : await send(client, "Attesting a mismatch", "attestMismatch", [leaseId]);
  return receipt.transactionHash;
}

/**
 * The auditor of a tolerance-mode match reveals its own result and judges both the provider's outputs and the
 * first validator's published ones against it. Agreeing with the provider's verdict decides it; contradicting it
 * goes to a third validator. `firstReproduced: false` withholds the first validator's pay; it is slashed only when
 * the auditor's result opens the provider's commitment and differs from the first's. The auditor is paid the same
 * whatever it says of the first.
 */
export async function attestAudit(
  client: PlasmaClient,
  leaseId: bigint,
  audit: { providerMatches: boolean; firstReproduced: boolean; resultHash: Hex; salt: Hex },
): Promise<Hex> {
  const args = [leaseId, audit.providerMatches, audit.firstReproduced, audit.resultHash, audit.salt];
  return (await send(client, "Attesting an audit", "attestAudit", args)).transactionHash;
}

/**
 * Exact-mode dispute: each of the three validators reveals the result it committed to blind. Two equal results
 * that do not open the provider's commitment fail it; otherwise one that opens it verifies it; nothing opens and
 * nothing agrees: the client is refunded. A validator that does not reveal is slashed.
 */
export async function revealValidatorResult(
  client: PlasmaClient,
  leaseId: bigint,
  resultHash: Hex,
  salt: Hex,
): Promise<Hex> {
  return (await send(client, "Revealing a verification result", "revealResult", [leaseId, resultHash, salt]))
    .transactionHash;
}
