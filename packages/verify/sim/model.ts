// The economics of sampled re-execution: does cheating pay? Closed-form expectations and a Monte
// Carlo of the same rules, for providers (who may return garbage instead of running a lease) and
// validators (who may attest without re-running). All amounts are in XPL.
//
// Rules (as the verification contracts implement them):
// - A lease is worth V (paid by the client to the provider, gross); running it honestly costs C = c·V.
//   The client also pays a verification fee of verificationFeeBps of V into the validator fee pool.
// - A completed lease is sampled with probability p = samplingRateBps / 10000, from a block hash the
//   provider cannot know when it commits its result. One staked validator re-executes it (commit–reveal,
//   so it cannot copy) and is paid min(V, fee/p) from the pool, so the expected payout per lease is its
//   own fee; a wrong result is noticed with probability 1 − e_miss. (A forced sample, after a draw
//   nobody made, pays only the lease's own fee: see attacks.ts.)
// - Caught cheating: the client is refunded V, first from the provider's payout still locked until
//   verification, then from the slash S = collateralRatioBps / 10000 · V taken from the provider's stake.
//   bountyBps of what remains of the slash goes to the validators who proved it, the rest to the pool.
// - The market refuses new verified leases when a provider's stake < collateral ratio × its open and
//   under-verification leases, so S is always there; here a provider holds one lease at a time, so a
//   lease is worth at most stake / collateral ratio.
// - The market also refuses a verified lease worth more than a validator's slash over
//   SLASH_PER_VERIFIED_VALUE (minValidatorStake · validatorSlashBps / 5 = 1,000 XPL at the defaults), so
//   that no wrong verdict on one lease is worth a validator's stake (see attacks.ts).
// - A validator that does not re-run cannot produce the hidden result hash, so it must claim "mismatch";
//   an honest provider disputes, a second validator re-executes, and the lazy one loses validatorSlashBps
//   of its stake. A caught cheater does not dispute (in exact mode the second validator would agree).
//
// Per cheated lease the provider saves C and, when caught, loses the locked payout L and the slash S
// (L = V when the whole payout is still locked): cheating loses money iff p·(1 − e_miss)·(L + S) > C.
import { Rng } from "./prng.ts";

/** Protocol parameters (names as in IProtocolParameters.VerificationParams) and modelling assumptions. */
export interface Params {
  /** Chance that a completed lease is re-executed by a validator, in basis points. */
  samplingRateBps: number;
  /** Paid by the client on top of a verified lease's value, into the validator fee pool, in basis points. */
  verificationFeeBps: number;
  /** Stake a provider needs per XPL of verified leases it holds, in basis points (10× = 100000). */
  collateralRatioBps: number;
  /** Share of a slash (after refunds) paid to the validators proven right, in basis points. */
  bountyBps: number;
  /** Share of a validator's stake taken when it loses a dispute, in basis points. */
  validatorSlashBps: number;
  /** Stake of a validator (the minimum needed to be assigned verifications), XPL. */
  minValidatorStake: number;
  /**
   * ComputeMarket.SLASH_PER_VERIFIED_VALUE: a verified lease is worth at most a validator's slash
   * (minValidatorStake · validatorSlashBps) over this. 0: no cap, as before issue 16's fix.
   */
  slashPerVerifiedValue: number;
  /** XPL a validator loses when it misses a verification step. */
  missedWindowPenalty: number;
  /** Seconds each party has for each verification step. */
  verificationWindow: number;
  /** Seconds an unstaked provider's stake stays bonded (and slashable). */
  unbondingPeriod: number;
  /** e_miss: chance that a re-execution does not notice a wrong result (0 for exact-mode outputs). */
  missRate: number;
  /**
   * Modelling assumption, not a protocol parameter: share of V still locked when the lease completes
   * (10000: the whole payout waits for verification). A share settled during the lease can only be
   * refunded from the slash, which weakens the deterrent to p·(L + S) > C.
   */
  lockedPayoutBps: number;
}

/** The defaults of ProtocolParameters.sol, exact-mode outputs and a fully locked payout. */
export const DEFAULT_PARAMS: Readonly<Params> = Object.freeze({
  samplingRateBps: 1_000,
  verificationFeeBps: 1_000,
  collateralRatioBps: 100_000,
  bountyBps: 1_000,
  validatorSlashBps: 5_000,
  minValidatorStake: 10_000,
  slashPerVerifiedValue: 5,
  missedWindowPenalty: 100,
  verificationWindow: 3_600,
  unbondingPeriod: 7 * 86_400,
  missRate: 0,
  lockedPayoutBps: 10_000,
});

/** A disputed verification takes about this many verification windows (ProtocolParameters.sol). */
export const DISPUTE_STEPS = 6;

/** Log-normal lease values: median and log-space standard deviation, before the collateral cap. */
export interface LeaseDistribution {
  median: number;
  sigma: number;
}

/** Median 50 XPL with a heavy tail: mean ≈ 154 XPL, 1 lease in 100 above ≈ 1,640 XPL. */
export const DEFAULT_LEASES: Readonly<LeaseDistribution> = Object.freeze({ median: 50, sigma: 1.5 });

/** Log-normal lease values capped at `cap` (what the collateral rule allows). */
export interface CappedLeases extends LeaseDistribution {
  cap: number;
}

const BPS = 10_000;

/** The rates of `params` as fractions. */
export function rates(params: Params) {
  return {
    p: params.samplingRateBps / BPS,
    fee: params.verificationFeeBps / BPS,
    collateral: params.collateralRatioBps / BPS,
    bounty: params.bountyBps / BPS,
    validatorSlash: params.validatorSlashBps / BPS,
    locked: params.lockedPayoutBps / BPS,
    missRate: params.missRate,
    /** A validator's pay per XPL of V for re-executing a randomly sampled lease: min(1, fee/p). */
    pay: params.samplingRateBps > 0 ? Math.min(1, params.verificationFeeBps / params.samplingRateBps) : 0,
  };
}

/** The most a verified lease may be worth: a validator's slash over slashPerVerifiedValue (Infinity: no cap). */
export function maxVerifiedValue(params: Params): number {
  if (params.slashPerVerifiedValue === 0) return Number.POSITIVE_INFINITY;
  return (params.minValidatorStake * params.validatorSlashBps) / BPS / params.slashPerVerifiedValue;
}

/**
 * The largest lease a provider with `stake` may hold: under the collateral rule (one lease at a time) and
 * the verified-lease cap.
 */
export function leaseCap(stake: number, params: Params): number {
  const collateral =
    params.collateralRatioBps === 0 ? Number.POSITIVE_INFINITY : (stake * BPS) / params.collateralRatioBps;
  return Math.min(collateral, maxVerifiedValue(params));
}

/**
 * Expected loss per XPL of a cheated lease: p·(1 − e_miss)·(L + S) / V. Cheating on a lease whose
 * cost ratio is c pays iff this is below c.
 * @param slashable false when the provider's stake is gone before verification ends (then only the
 * locked payout is lost).
 */
export function deterrence(params: Params, slashable = true): number {
  const r = rates(params);
  return r.p * (1 - r.missRate) * (r.locked + (slashable ? r.collateral : 0));
}

export type Verdict = "cheating loses" | "break-even" | "CHEATING PAYS";

/** The verdict on an expected gain from cheating (cheat profit minus honest profit). */
export function verdictOf(gain: number, scale = 1): Verdict {
  const tolerance = 1e-9 * Math.max(1, Math.abs(scale));
  if (gain < -tolerance) return "cheating loses";
  if (gain > tolerance) return "CHEATING PAYS";
  return "break-even";
}

// ---------------------------------------------------------------------------------------------------
// The lease-value distribution

/** Φ, the standard normal CDF (erfc of Numerical Recipes' Chebyshev fit: relative error < 1.2e-7). */
export function normalCdf(x: number): number {
  if (x === Number.POSITIVE_INFINITY) return 1;
  if (x === Number.NEGATIVE_INFINITY) return 0;
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * z);
  const poly =
    -1.26551223 +
    t *
      (1.00002368 +
        t *
          (0.37409196 +
            t *
              (0.09678418 +
                t *
                  (-0.18628806 +
                    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const erfc = t * Math.exp(-z * z + poly);
  return x >= 0 ? 1 - 0.5 * erfc : 0.5 * erfc;
}

/** E[Y · 1{Y > threshold}] for Y = min(X, cap), X log-normal: the value of the leases above a threshold. */
export function cappedMeanAbove(leases: CappedLeases, threshold: number): number {
  if (threshold >= leases.cap) return 0;
  const mu = Math.log(leases.median);
  const s = leases.sigma;
  const mean = Math.exp(mu + (s * s) / 2);
  const logCap = Math.log(leases.cap);
  const logLow = threshold > 0 ? Math.log(threshold) : Number.NEGATIVE_INFINITY;
  const body = mean * (normalCdf((logCap - mu - s * s) / s) - normalCdf((logLow - mu - s * s) / s));
  const tail = Number.isFinite(leases.cap) ? leases.cap * (1 - normalCdf((logCap - mu) / s)) : 0;
  return body + tail;
}

/** E[min(X, cap)]: the mean lease value once the collateral cap applies. */
export function cappedMean(leases: CappedLeases): number {
  return cappedMeanAbove(leases, 0);
}

/** The median lease value once the cap applies. */
export function cappedMedian(leases: CappedLeases): number {
  return Math.min(leases.median, leases.cap);
}

/** One lease value drawn from the capped log-normal. */
export function drawLease(leases: CappedLeases, rng: Rng): number {
  return Math.min(leases.median * Math.exp(leases.sigma * rng.normal()), leases.cap);
}

// ---------------------------------------------------------------------------------------------------
// One lease, settled by the rules

/** What happened to one lease. */
export interface LeaseCase {
  /** V. */
  value: number;
  /** C, spent by the provider only when it runs the lease honestly. */
  cost: number;
  cheated: boolean;
  sampled: boolean;
  /** The validator's re-execution notices a wrong result (only matters when the provider cheated). */
  detected: boolean;
  /** The provider's stake is still bonded when verification ends. */
  slashable: boolean;
}

/** Where the money of one lease went. */
export interface LeaseSettlement {
  /** The provider's profit: payout kept minus slash minus cost. */
  provider: number;
  /** What the client paid in the end: value and fee, less refunds. */
  client: number;
  /** Paid to validators: the re-execution fee and bounties. */
  validators: number;
  /** Net change of the validator fee pool. */
  pool: number;
  slashed: number;
  caught: boolean;
}

/** Settles one lease by the protocol's rules (refund from the locked payout first, then from the slash). */
export function settleLease(lease: LeaseCase, params: Params): LeaseSettlement {
  const r = rates(params);
  const v = lease.value;
  const locked = r.locked * v;
  const cost = lease.cheated ? 0 : lease.cost;
  let pool = r.fee * v;
  let validators = 0;
  if (lease.sampled) {
    pool -= r.pay * v;
    validators += r.pay * v;
  }
  const caught = lease.cheated && lease.sampled && lease.detected;
  if (!caught) {
    return { provider: v - cost, client: v + r.fee * v, validators, pool, slashed: 0, caught };
  }
  const slashed = lease.slashable ? r.collateral * v : 0;
  const refundFromSlash = Math.min(v - locked, slashed);
  const remainder = slashed - refundFromSlash;
  validators += r.bounty * remainder;
  pool += (1 - r.bounty) * remainder;
  return {
    provider: v - locked - slashed - cost,
    client: v + r.fee * v - locked - refundFromSlash,
    validators,
    pool,
    slashed,
    caught,
  };
}

export type ValidatorStrategy = "honest" | "lazy" | "no-show";

/** What happened to one verification assignment. */
export interface VerificationCase {
  value: number;
  /** C, the validator's cost of re-executing. */
  cost: number;
  /** The provider returned a wrong result. */
  cheated: boolean;
  /** An honest re-execution notices the wrong result. */
  detected: boolean;
}

/** The validator's profit on one assignment. */
export function settleVerification(strategy: ValidatorStrategy, job: VerificationCase, params: Params): number {
  const r = rates(params);
  const v = job.value;
  // Bounty on a caught cheat: bountyBps of the slash left after refunding what the lock did not cover.
  const bounty = r.bounty * Math.max(0, r.collateral * v - (1 - r.locked) * v);
  switch (strategy) {
    case "honest":
      return r.pay * v - job.cost + (job.cheated && job.detected ? bounty : 0);
    case "lazy":
      // Claims "mismatch" (it cannot produce the hidden hash). A cheater accepts; an honest provider
      // disputes, the second validator agrees with the provider and the lazy validator is slashed.
      return job.cheated ? r.pay * v + bounty : -r.validatorSlash * params.minValidatorStake;
    case "no-show":
      return -params.missedWindowPenalty;
  }
}

// ---------------------------------------------------------------------------------------------------
// Monte Carlo estimates

/** A Monte Carlo mean with its 95 % confidence interval (normal approximation). */
export interface Estimate {
  mean: number;
  /** Standard error of the mean. */
  se: number;
  lo: number;
  hi: number;
  n: number;
}

/** Running mean and variance (Welford). */
export class Accumulator {
  private count = 0;
  private mean = 0;
  private m2 = 0;

  add(x: number): void {
    this.count++;
    const delta = x - this.mean;
    this.mean += delta / this.count;
    this.m2 += delta * (x - this.mean);
  }

  estimate(): Estimate {
    const variance = this.count > 1 ? this.m2 / (this.count - 1) : 0;
    const se = Math.sqrt(variance / Math.max(1, this.count));
    return { mean: this.mean, se, lo: this.mean - 1.96 * se, hi: this.mean + 1.96 * se, n: this.count };
  }
}

/** Whether `value` lies within `z` standard errors of the estimate (z = 1.96: the 95 % interval). */
export function agrees(estimate: Estimate, value: number, z = 1.96): boolean {
  return Math.abs(estimate.mean - value) <= z * estimate.se + 1e-9 * Math.max(1, Math.abs(value));
}

// ---------------------------------------------------------------------------------------------------
// The grid: always cheat vs honest, per (stake, p, collateral)

export interface GridOptions {
  params: Params;
  leases: LeaseDistribution;
  stakes: readonly number[];
  samplingRatesBps: readonly number[];
  collateralRatiosBps: readonly number[];
  costRatios: readonly number[];
  /** Monte Carlo leases per cell. */
  runs: number;
  seed: number;
}

export interface GridCell {
  stake: number;
  params: Params;
  /** Largest lease the stake allows. */
  cap: number;
  meanValue: number;
  /** Expected honest profit per lease, one per cost ratio. */
  honest: number[];
  /** Expected profit per lease of cheating on every lease (independent of c: a cheater spends nothing). */
  cheat: number;
  cheatMc: Estimate;
  /** Cheating pays iff the cost ratio c is above this: p·(1 − e_miss)·(L + S)/V. */
  breakEvenCost: number;
  /** One per cost ratio. */
  verdicts: Verdict[];
  overhead: Overhead;
}

/** The grid of always-cheat vs honest: closed form and Monte Carlo. The verdict does not depend on the stake. */
export function runGrid(options: GridOptions): GridCell[] {
  const cells: GridCell[] = [];
  let stream = 0;
  for (const stake of options.stakes) {
    for (const samplingRateBps of options.samplingRatesBps) {
      for (const collateralRatioBps of options.collateralRatiosBps) {
        const params: Params = { ...options.params, samplingRateBps, collateralRatioBps };
        const leases: CappedLeases = { ...options.leases, cap: leaseCap(stake, params) };
        const meanValue = cappedMean(leases);
        const k = deterrence(params);
        const cheat = (1 - k) * meanValue;
        const honest = options.costRatios.map((c) => (1 - c) * meanValue);
        const rng = new Rng(options.seed, stream++);
        const acc = new Accumulator();
        const r = rates(params);
        for (let i = 0; i < options.runs; i++) {
          const value = drawLease(leases, rng);
          const sampled = rng.uniform() < r.p;
          const detected = rng.uniform() >= r.missRate;
          acc.add(settleLease({ value, cost: 0, cheated: true, sampled, detected, slashable: true }, params).provider);
        }
        cells.push({
          stake,
          params,
          cap: leases.cap,
          meanValue,
          honest,
          cheat,
          cheatMc: acc.estimate(),
          breakEvenCost: k,
          verdicts: honest.map((h) => verdictOf(cheat - h, meanValue)),
          overhead: verificationOverhead(params),
        });
      }
    }
  }
  return cells;
}

/** Cost of verification per lease, as fractions of V, when providers and validators are honest. */
export interface Overhead {
  /** The verification fee the client pays. */
  fee: number;
  /** Second re-executions on disputes (paid V from the pool; repaid by the loser's slash). */
  disputes: number;
  /** A validator's pay per XPL of V for a re-execution, min(1, fee/p): below the cost ratio, nobody re-executes. */
  pay: number;
  /** fee + disputes: what clients pay for verification. */
  total: number;
  /** Fee income minus validator pay (p·min(V, fee/p) per lease plus disputes), before slash income. */
  pool: number;
}

/**
 * Verification overhead in equilibrium. In exact mode an honest validator never disagrees with an
 * honest provider, so disputes come only from lazy validators (none, when laziness loses money).
 * @param lazyValidatorShare share of assignments that go to lazy validators.
 */
export function verificationOverhead(params: Params, lazyValidatorShare = 0): Overhead {
  const r = rates(params);
  const disputes = r.p * lazyValidatorShare;
  return { fee: r.fee, disputes, total: r.fee + disputes, pool: r.fee - r.p * r.pay - disputes, pay: r.pay };
}

// ---------------------------------------------------------------------------------------------------
// Strategies at one setting of the parameters

export type ProviderStrategy =
  | { kind: "honest" }
  | { kind: "always" }
  | { kind: "fraction"; share: number }
  | { kind: "above-median" }
  | { kind: "exit"; burst: number };

/** A short description of a provider strategy. */
export function describeProvider(strategy: ProviderStrategy, leases: CappedLeases, params: Params): string {
  switch (strategy.kind) {
    case "honest":
      return "honest";
    case "always":
      return "always cheat (return garbage)";
    case "fraction":
      return `cheat on ${Math.round(strategy.share * 100)}% of leases`;
    case "above-median":
      return `cheat on leases above the median (${formatXpl(cappedMedian(leases))} XPL)`;
    case "exit": {
      return `cheat then exit (${strategy.burst} leases at once${exitEscapes(params) ? ", ESCAPES" : ""})`;
    }
  }
}

function formatXpl(x: number): string {
  return x.toLocaleString("en-US", { maximumFractionDigits: 0 });
}

/**
 * Whether a provider that unstakes right after its last lease completes gets its stake back before
 * that lease's verification ends: only if a disputed verification outlasts the unbonding period.
 */
export function exitEscapes(params: Params): boolean {
  return DISPUTE_STEPS * params.verificationWindow > params.unbondingPeriod;
}

/** The leases a strategy takes: "cheat then exit" splits the collateral allowance over its burst of open leases. */
export function strategyLeases(strategy: ProviderStrategy, leases: CappedLeases): CappedLeases {
  return strategy.kind === "exit" ? { ...leases, cap: leases.cap / strategy.burst } : leases;
}

/** Closed-form expectation per lease of a provider strategy. */
export interface ProviderExpectation {
  /** Mean value of the leases it takes. */
  meanValue: number;
  /** E[V · 1{cheated}]: the value it cheats on per lease; cheating saves c times this. */
  cheatedValue: number;
  /** Expected loss per lease from being caught (locked payout and slash). */
  lost: number;
}

/** Closed-form expectation per lease of a provider strategy. */
export function expectProvider(strategy: ProviderStrategy, leases: CappedLeases, params: Params): ProviderExpectation {
  const own = strategyLeases(strategy, leases);
  const meanValue = cappedMean(own);
  let cheatedValue: number;
  let k = deterrence(params);
  switch (strategy.kind) {
    case "honest":
      cheatedValue = 0;
      break;
    case "always":
      cheatedValue = meanValue;
      break;
    case "fraction":
      cheatedValue = strategy.share * meanValue;
      break;
    case "above-median":
      cheatedValue = cappedMeanAbove(own, cappedMedian(own));
      break;
    case "exit":
      cheatedValue = meanValue;
      k = deterrence(params, !exitEscapes(params));
      break;
  }
  return { meanValue, cheatedValue, lost: k * cheatedValue };
}

/** Expected gain per lease over honest work: c·E[V·1{cheated}] − E[loss]. */
export function expectedGain(expectation: ProviderExpectation, costRatio: number): number {
  return costRatio * expectation.cheatedValue - expectation.lost;
}

/** Monte Carlo of a provider strategy: gain per lease over honest work on the same leases, per cost ratio. */
export interface ProviderSimulation {
  gain: Estimate[];
  /** Caught leases whose slash the provider's stake could not cover (the collateral rule says: never). */
  shortfalls: number;
}

/** Simulates `runs` leases of a provider with `stake` following `strategy`. */
export function simulateProvider(
  strategy: ProviderStrategy,
  leases: CappedLeases,
  stake: number,
  params: Params,
  costRatios: readonly number[],
  runs: number,
  rng: Rng,
): ProviderSimulation {
  const own = strategyLeases(strategy, leases);
  const median = cappedMedian(own);
  const r = rates(params);
  const slashable = strategy.kind !== "exit" || !exitEscapes(params);
  const burst = strategy.kind === "exit" ? strategy.burst : 1;
  const accs = costRatios.map(() => new Accumulator());
  let shortfalls = 0;
  for (let done = 0; done < runs; ) {
    // A burst of leases open at once (one, except for "cheat then exit"): together they fit the stake.
    let bonded = stake;
    for (let j = 0; j < burst && done < runs; j++, done++) {
      const value = drawLease(own, rng);
      let cheated: boolean;
      switch (strategy.kind) {
        case "honest":
          cheated = false;
          break;
        case "fraction":
          cheated = rng.uniform() < strategy.share;
          break;
        case "above-median":
          cheated = value > median;
          break;
        default:
          cheated = true;
      }
      const sampled = rng.uniform() < r.p;
      const detected = rng.uniform() >= r.missRate;
      const outcome = settleLease({ value, cost: 0, cheated, sampled, detected, slashable }, params);
      if (outcome.slashed > bonded + 1e-9) shortfalls++;
      bonded -= outcome.slashed;
      const lost = value - outcome.provider; // an honest provider keeps all of V
      costRatios.forEach((c, i) => {
        accs[i]?.add((cheated ? c * value : 0) - lost);
      });
    }
  }
  return { gain: accs.map((a) => a.estimate()), shortfalls };
}

/** Closed-form expected profit per assignment of a validator. */
export function expectValidator(
  strategy: ValidatorStrategy,
  leases: CappedLeases,
  params: Params,
  costRatio: number,
  cheatShare: number,
): number {
  const r = rates(params);
  const meanValue = cappedMean(leases);
  const bountyPerXpl = r.bounty * Math.max(0, r.collateral - (1 - r.locked));
  switch (strategy) {
    case "honest":
      return (r.pay - costRatio) * meanValue + cheatShare * (1 - r.missRate) * bountyPerXpl * meanValue;
    case "lazy":
      return (
        cheatShare * (r.pay + bountyPerXpl) * meanValue - (1 - cheatShare) * r.validatorSlash * params.minValidatorStake
      );
    case "no-show":
      return -params.missedWindowPenalty;
  }
}

/**
 * The share of cheated leases among its assignments above which a lazy validator would earn more
 * than an honest one (> 1: never).
 */
export function lazyBreakEvenCheatShare(leases: CappedLeases, params: Params, costRatio: number): number {
  const honest0 = expectValidator("honest", leases, params, costRatio, 0);
  const honest1 = expectValidator("honest", leases, params, costRatio, 1);
  const lazy0 = expectValidator("lazy", leases, params, costRatio, 0);
  const lazy1 = expectValidator("lazy", leases, params, costRatio, 1);
  // Both are linear in the cheat share x: solve lazy(x) = honest(x).
  const slope = lazy1 - lazy0 - (honest1 - honest0);
  return slope > 0 ? (honest0 - lazy0) / slope : Number.POSITIVE_INFINITY;
}

/** Simulates `runs` assignments of a validator; one estimate per cost ratio. */
export function simulateValidator(
  strategy: ValidatorStrategy,
  leases: CappedLeases,
  params: Params,
  costRatios: readonly number[],
  cheatShare: number,
  runs: number,
  rng: Rng,
): Estimate[] {
  const r = rates(params);
  const accs = costRatios.map(() => new Accumulator());
  for (let i = 0; i < runs; i++) {
    const value = drawLease(leases, rng);
    const cheated = rng.uniform() < cheatShare;
    const detected = rng.uniform() >= r.missRate;
    costRatios.forEach((c, j) => {
      accs[j]?.add(settleVerification(strategy, { value, cost: c * value, cheated, detected }, params));
    });
  }
  return accs.map((a) => a.estimate());
}

export interface StrategyOptions {
  params: Params;
  leases: LeaseDistribution;
  stake: number;
  costRatios: readonly number[];
  runs: number;
  seed: number;
  /** Leases a "cheat then exit" provider cheats on before it unstakes. */
  exitBurst: number;
  /** Share of cheated leases among a validator's assignments, for the second lazy-validator row. */
  lazyCheatShare: number;
}

export interface ProviderRow {
  strategy: ProviderStrategy;
  name: string;
  expectation: ProviderExpectation;
  /** Expected gain per lease over honest work, one per cost ratio. */
  gain: number[];
  mc: ProviderSimulation;
  verdicts: Verdict[];
}

export interface ValidatorRow {
  strategy: ValidatorStrategy;
  name: string;
  cheatShare: number;
  /** Expected profit per assignment, one per cost ratio. */
  profit: number[];
  mc: Estimate[];
  /** Against an honest validator with the same assignments, one per cost ratio (honest: null). */
  verdicts: (Verdict | null)[];
}

export interface StrategyReport {
  params: Params;
  leases: CappedLeases;
  stake: number;
  costRatios: readonly number[];
  /** Expected honest profit per lease, one per cost ratio. */
  honestProfit: number[];
  providers: ProviderRow[];
  validators: ValidatorRow[];
  /** Cheat share above which laziness would pay, at each cost ratio. */
  lazyBreakEven: number[];
  overhead: Overhead;
}

/** The provider strategies compared at one setting. */
export function providerStrategies(exitBurst: number): ProviderStrategy[] {
  return [
    { kind: "always" },
    { kind: "fraction", share: 0.1 },
    { kind: "fraction", share: 0.5 },
    { kind: "above-median" },
    { kind: "exit", burst: exitBurst },
  ];
}

/** Provider and validator strategies at one setting: closed form and Monte Carlo. */
export function runStrategies(options: StrategyOptions): StrategyReport {
  const { params, costRatios, runs, seed, stake } = options;
  const leases: CappedLeases = { ...options.leases, cap: leaseCap(stake, params) };
  const meanValue = cappedMean(leases);
  let stream = 1_000_000; // apart from the grid's streams
  const providers = providerStrategies(options.exitBurst).map((strategy): ProviderRow => {
    const expectation = expectProvider(strategy, leases, params);
    const gain = costRatios.map((c) => expectedGain(expectation, c));
    return {
      strategy,
      name: describeProvider(strategy, leases, params),
      expectation,
      gain,
      mc: simulateProvider(strategy, leases, stake, params, costRatios, runs, new Rng(seed, stream++)),
      verdicts: gain.map((g) => verdictOf(g, expectation.meanValue)),
    };
  });
  const validatorCases: { strategy: ValidatorStrategy; name: string; cheatShare: number }[] = [
    { strategy: "honest", name: "honest validator (re-executes)", cheatShare: 0 },
    { strategy: "lazy", name: "lazy validator, honest providers", cheatShare: 0 },
    {
      strategy: "lazy",
      name: `lazy validator, ${Math.round(options.lazyCheatShare * 100)}% of leases cheated`,
      cheatShare: options.lazyCheatShare,
    },
    { strategy: "no-show", name: "validator skips the window", cheatShare: 0 },
  ];
  const validators = validatorCases.map(({ strategy, name, cheatShare }): ValidatorRow => {
    const profit = costRatios.map((c) => expectValidator(strategy, leases, params, c, cheatShare));
    const honest = costRatios.map((c) => expectValidator("honest", leases, params, c, cheatShare));
    return {
      strategy,
      name,
      cheatShare,
      profit,
      mc: simulateValidator(strategy, leases, params, costRatios, cheatShare, runs, new Rng(seed, stream++)),
      verdicts: profit.map((x, i) =>
        strategy === "honest" ? null : verdictOf(x - (honest[i] ?? 0), params.minValidatorStake),
      ),
    };
  });
  return {
    params,
    leases,
    stake,
    costRatios,
    honestProfit: costRatios.map((c) => (1 - c) * meanValue),
    providers,
    validators,
    lazyBreakEven: costRatios.map((c) => lazyBreakEvenCheatShare(leases, params, c)),
    overhead: verificationOverhead(params),
  };
}

// ---------------------------------------------------------------------------------------------------
// The verdict on the defaults

export interface DefaultsVerdict {
  ok: boolean;
  /** Why not, one line each. */
  failures: string[];
  /** The cheating strategy and cost ratio closest to paying: expected gain per lease and per XPL cheated on. */
  closest: { name: string; costRatio: number; gain: number; perXpl: number } | null;
}

/**
 * Whether every simulated cheating strategy (providers and validators) loses money at every cost
 * ratio, the clients' verification overhead is at most `maxOverhead` of V, and the fee pays a
 * validator at least the cost of a re-execution (min(V, fee/p) >= c·V).
 */
export function judgeDefaults(report: StrategyReport, maxOverhead = 0.1): DefaultsVerdict {
  const failures: string[] = [];
  let closest: DefaultsVerdict["closest"] = null;
  for (const row of report.providers) {
    row.gain.forEach((gain, i) => {
      const costRatio = report.costRatios[i] ?? Number.NaN;
      const perXpl = gain / row.expectation.cheatedValue;
      if (closest === null || perXpl > closest.perXpl + 1e-9) closest = { name: row.name, costRatio, gain, perXpl };
      if (row.verdicts[i] !== "cheating loses") {
        failures.push(`${row.name}: ${row.verdicts[i]} at c = ${costRatio} (${gain.toFixed(2)} XPL per lease)`);
      }
    });
  }
  for (const row of report.validators) {
    row.verdicts.forEach((verdict, i) => {
      if (verdict !== null && verdict !== "cheating loses") {
        const outcome = verdict === "CHEATING PAYS" ? "pays" : "breaks even";
        failures.push(`${row.name}: laziness ${outcome} at c = ${report.costRatios[i]}`);
      }
    });
  }
  const percent = (x: number) => `${(x * 100).toFixed(1)} %`;
  if (report.overhead.total > maxOverhead + 1e-12) {
    failures.push(`verification overhead ${percent(report.overhead.total)} of V is above ${percent(maxOverhead)}`);
  }
  // A validator is paid min(V, fee/p): when that is below what re-executing costs, nobody re-executes.
  const unpaid = report.costRatios.filter((c) => report.overhead.pay < c - 1e-12);
  if (unpaid.length > 0) {
    const p = rates(report.params).p;
    failures.push(
      `a ${percent(report.overhead.fee)} fee at ${percent(p)} sampling pays validators only ${report.overhead.pay.toFixed(2)}·V per re-execution, less than it costs at c = ${unpaid.join(", ")}`,
    );
  }
  return { ok: failures.length === 0, failures, closest };
}
