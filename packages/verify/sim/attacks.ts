// The attacks of issue 16 against the protocol as it now is: a second validator that copies the
// provider's answer, draw grinding, just-in-time delegation, no-show farming and a lazy validator in
// tolerance mode. Each has a closed-form expected profit, a seeded Monte Carlo of the same rules with
// its 95 % interval, and a verdict. All amounts are in XPL; "profit" is over behaving honestly.
//
// Rules modelled (ProtocolParameters.sol defaults; see packages/verify/sim/README-section.md):
// - A verified lease is sampled with probability p from a block hash unknown when it completed. A draw
//   nobody makes within 256 blocks re-arms at a new unknown block and the lease is then always sampled.
// - Validators are drawn stake-weighted from a frozen set; an attacker holding a share s of validator
//   stake is picked with probability s per draw, whatever it does in the draw's transaction.
// - A validator is paid min(V, fee/p) for a randomly sampled lease (tolerance mode: min(V, fee/(p·(1 + audit)))),
//   only the lease's own fee for a forced one.
// - Disputes: round 2 commits blind; a round-2 agreement with the provider goes to a third validator; the
//   minority validator loses validatorSlashBps of its stake.
// - Tolerance mode audits a round-1 match with probability toleranceAuditBps; a validator whose own
//   outputs do not reproduce is slashed.
// - Rewards go only to stake present during the epoch; no-show penalties are capped per lease and per period.
// - A verified lease is worth at most minValidatorStake · validatorSlashBps / SLASH_PER_VERIFIED_VALUE (1,000
//   XPL): a validator's gain from a wrong verdict grows with V while its slash does not, so the validator
//   attacks are judged at the largest lease they can reach.
import {
  Accumulator,
  type CappedLeases,
  cappedMean,
  cappedMeanAbove,
  DEFAULT_PARAMS,
  drawLease,
  type Estimate,
  maxVerifiedValue,
  normalCdf,
  type Params,
  rates,
  type Verdict,
  verdictOf,
} from "./model.ts";
import { Rng } from "./prng.ts";

const BPS = 10_000;
const YEAR = 365 * 86_400;

/** Parameters the attacks depend on beyond the verification model's, and the assumptions made. */
export interface AttackParams extends Params {
  /** Chance that a tolerance-mode round-1 match is audited, in basis points. */
  toleranceAuditBps: number;
  protocolFeeBps: number;
  /** A provider's epoch reward is at most this share of the protocol fee its work paid. */
  rewardFeeCapBps: number;
  noShowPenaltyBps: number;
  /** XPL. */
  noShowPenaltyCap: number;
  /** All no-show penalties of one unbonding period together take at most this share of the provider's backing. */
  noShowBackingCapBps: number;
  noShowClientShareBps: number;
  /**
   * Whether noShowBackingCapBps bounds a whole unbonding period (ComputeMarket's no-show allowance) or,
   * as before issue 16's fix, each no-show alone (of the backing left), so that many no-shows drain it.
   */
  noShowCapPerPeriod: boolean;
  /** Seconds a lease may wait to be started. */
  startDeadline: number;
  /** Epochs a new delegation waits before it earns (0: the old rule, it earned the epoch just ended). */
  arrivalEpochs: number;
  /** Forced (re-armed) samples pay the validator only the lease's own fee (false: min(V, fee/p), the old rule). */
  forcedPaysOwnFee: boolean;
  // ------------------------------------------------------------------ assumptions, not protocol parameters
  /** s: the attacking coalition's share of validator stake. */
  attackerShare: number;
  /** Chance that an honest picked validator draws within 256 blocks (it is paid to: 1). */
  honestDrawRate: number;
  /** XPL of gas per transaction. */
  txCost: number;
  /** Seconds for 256 blocks: how long a withheld draw waits to re-arm. */
  rearmDelay: number;
  /** Yearly return on capital the attacker could earn elsewhere (the opportunity cost of locked XPL). */
  capitalRate: number;
}

export const DEFAULT_ATTACK_PARAMS: Readonly<AttackParams> = Object.freeze({
  ...DEFAULT_PARAMS,
  toleranceAuditBps: 2_000,
  protocolFeeBps: 500,
  rewardFeeCapBps: 5_000,
  noShowPenaltyBps: 1_000,
  noShowPenaltyCap: 1_000,
  noShowBackingCapBps: 500,
  noShowClientShareBps: 2_000,
  noShowCapPerPeriod: true,
  startDeadline: 600,
  arrivalEpochs: 1,
  forcedPaysOwnFee: true,
  attackerShare: 0.1,
  honestDrawRate: 1,
  txCost: 0.01,
  rearmDelay: 256 * 2,
  capitalRate: 0.1,
});

/** The lease a validator attack is judged at when nothing caps verified leases (slashPerVerifiedValue 0). */
export const UNCAPPED_LEASE = 1_000_000;

/**
 * The reachable lease value at which a validator attack whose gain is linear in V gains the most: the
 * largest verified lease (the cap), or the smallest where the gain falls with V.
 */
export function worstReachableValue(gain: (value: number) => number, params: AttackParams): number {
  const cap = Math.min(maxVerifiedValue(params), UNCAPPED_LEASE);
  return gain(cap) >= gain(0) ? cap : 0;
}

/** Every lease worth exactly V, for a Monte Carlo at one value. */
function only(value: number): CappedLeases {
  return { median: value, sigma: 0, cap: value };
}

/** The coalition shares the draw-grinding verdict must hold for. */
export const GRINDING_SHARES = [0.1, 0.25, 0.5] as const;

/** One attack, evaluated at one setting. */
export interface AttackRow {
  name: string;
  /** What the profit is counted per. */
  unit: string;
  /** Closed-form expected profit over honest behaviour. */
  profit: number;
  mc: Estimate;
  /** "bounded": it pays, as a penalty meant for an offline provider must, within a per-period cap. */
  verdict: Verdict | "bounded";
  /** The parameters the result depends on. */
  dependsOn: string;
  /** Why, in one line. */
  reason: string;
  /** Informational rows (findings beyond the list) do not gate the defaults. */
  gated: boolean;
}

// ---------------------------------------------------------------------------------------------------
// Copying second validator

/**
 * The coalition's gain per cheated lease of value V from having its validator, when drawn second in
 * the provider's dispute, commit the provider's answer instead of re-executing (cost c·V).
 * It matters only when the lease is sampled and the first validator is honest (p·(1 − s)); then v2 is
 * the accomplice with chance s, and the copy wins only if v3 colludes too (s): the provider keeps V
 * and its slash (locked + collateral)·V, v3 is paid without re-executing, and the honest v1's slash
 * pays a bounty. If v3 is honest the provider is caught anyway, and v2 is not paid and loses
 * validatorSlashBps of its stake (the minimum: the cheapest accomplice). Honest v2 instead: the
 * provider is caught, v2 spends c·V and is paid min(V, fee/p).
 */
export function copyingGain(value: number, costRatio: number, params: AttackParams): number {
  const r = rates(params);
  const s = params.attackerShare;
  const slash = r.validatorSlash * params.minValidatorStake;
  const kept = (r.locked + r.collateral) * value;
  const won = kept + r.bounty * slash + (costRatio + r.pay) * value; // v3 skips the work and is paid
  const lost = slash + r.pay * value;
  return r.p * (1 - s) * s * (costRatio * value + s * won - (1 - s) * lost);
}

/** The smallest lease value above which copying pays at cost ratio c, or Infinity. */
export function copyingBreakEvenValue(params: AttackParams, costRatio = 1): number {
  const r = rates(params);
  const s = params.attackerShare;
  const slash = r.validatorSlash * params.minValidatorStake;
  const perXpl = costRatio + s * (r.locked + r.collateral + costRatio + r.pay) - (1 - s) * r.pay;
  const fixed = (1 - s) * slash - s * r.bounty * slash;
  return perXpl <= 0 ? Number.POSITIVE_INFINITY : Math.max(0, fixed / perXpl);
}

function simulateCopying(leases: CappedLeases, costRatio: number, params: AttackParams, runs: number, rng: Rng) {
  const r = rates(params);
  const s = params.attackerShare;
  const slash = r.validatorSlash * params.minValidatorStake;
  const acc = new Accumulator();
  for (let i = 0; i < runs; i++) {
    const value = drawLease(leases, rng);
    let gain = 0;
    if (rng.uniform() < r.p && rng.uniform() >= s && rng.uniform() < s) {
      gain += costRatio * value; // v2 does not re-execute
      if (rng.uniform() < s) gain += (r.locked + r.collateral) * value + r.bounty * slash + (costRatio + r.pay) * value;
      else gain -= slash + r.pay * value;
    }
    acc.add(gain);
  }
  return acc.estimate();
}

// ---------------------------------------------------------------------------------------------------
// A colluding first validator (exact mode): not in the list, reported because it bounds the rest

/** Gain per lease of a provider that always cheats with a coalition holding s of validator stake. */
export function colludingFirstGain(value: number, costRatio: number, params: AttackParams): number {
  const r = rates(params);
  const s = params.attackerShare;
  // Saves its own and (when its validator is drawn) the validator's re-execution; caught when v1 is honest.
  return costRatio * value * (1 + r.p * s) - r.p * (1 - s) * (r.locked + r.collateral) * value;
}

/** The coalition share of validator stake above which always cheating pays at cost ratio c. */
export function colludingFirstBreakEvenShare(params: AttackParams, costRatio: number): number {
  const r = rates(params);
  const k = r.locked + r.collateral;
  // c(1 + p·s) = p(1 − s)k  ⇒  s = (p·k − c) / (p·k + c·p)
  return Math.max(0, (r.p * k - costRatio) / (r.p * k + costRatio * r.p));
}

// ---------------------------------------------------------------------------------------------------
// Draw grinding

/**
 * Expected profit of one self-dealt lease of value V for an attacker that is client, provider and a
 * validator with share s, and withholds every draw that does not pick it. It pays V plus the fee f·V
 * and gets back V less the protocol fee (plus, at most, the reward cap's share of that fee). The first
 * draw samples with chance p and picks it with chance s: paid min(V, f·V/p). If it picks an honest
 * validator, that one draws with chance q (it is paid to); if it samples nothing, nobody but the
 * attacker cares to draw. Otherwise it withholds: each re-arm (always sampled) picks it with chance s
 * and pays the forced rate, or an honest picked validator draws (q); each re-arm costs a transaction
 * and the wait with V locked.
 */
export function grindingProfit(value: number, params: AttackParams, share = params.attackerShare): number {
  const t = grindingTerms(params, share);
  return t.perXpl * value + t.picked * Math.max(0, t.withholdPerXpl * value - t.withholdFixed);
}

/**
 * grindingProfit(V) = perXpl·V + picked·max(0, withholdPerXpl·V − withholdFixed), so its expectation
 * over the lease distribution has a closed form.
 */
function grindingTerms(params: AttackParams, s: number) {
  const { p, fee } = rates(params);
  const q = params.honestDrawRate;
  const protocolFee = params.protocolFeeBps / BPS;
  const reward = (params.rewardFeeCapBps / BPS) * protocolFee;
  const randomPay = p > 0 ? Math.min(1, fee / p) : 0; // per XPL of V
  const forcedPay = params.forcedPaysOwnFee ? fee : randomPay;
  const perTry = s + (1 - s) * q; // a try ends when someone draws
  const tries = perTry > 0 ? 1 / perTry : Number.POSITIVE_INFINITY;
  const lockCost = params.capitalRate * (params.rearmDelay / YEAR); // per XPL of V per re-arm
  return {
    perXpl: -protocolFee + reward - fee + p * s * randomPay,
    /** Chance of reaching the withholding branch: nothing sampled, or an honest pick that did not draw. */
    picked: 1 - p + p * (1 - s) * (1 - q),
    withholdPerXpl: (perTry > 0 ? s / perTry : 0) * forcedPay - tries * lockCost,
    withholdFixed: tries * params.txCost,
  };
}

/** E[grindingProfit(V)] over capped log-normal lease values. */
export function expectGrinding(leases: CappedLeases, params: AttackParams, share = params.attackerShare): number {
  const t = grindingTerms(params, share);
  const mean = cappedMean(leases);
  if (t.withholdPerXpl <= 0) return t.perXpl * mean;
  const threshold = t.withholdFixed / t.withholdPerXpl; // withholding pays only above this value
  const above = cappedMeanAbove(leases, threshold);
  return (
    t.perXpl * mean + t.picked * (t.withholdPerXpl * above - t.withholdFixed * probabilityAbove(leases, threshold))
  );
}

/** The validator share above which draw grinding pays (1: never below 100 %), by bisection. */
export function grindingBreakEvenShare(leases: CappedLeases, params: AttackParams): number {
  if (expectGrinding(leases, params, 1) <= 0) return 1;
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 40; i++) {
    const mid = (lo + hi) / 2;
    if (expectGrinding(leases, params, mid) > 0) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** P(min(X, cap) > threshold) for X log-normal. */
function probabilityAbove(leases: CappedLeases, threshold: number): number {
  if (threshold >= leases.cap) return 0;
  if (threshold <= 0) return 1;
  return 1 - normalCdf((Math.log(threshold) - Math.log(leases.median)) / leases.sigma);
}

function simulateGrinding(leases: CappedLeases, params: AttackParams, share: number, runs: number, rng: Rng) {
  const { p, fee } = rates(params);
  const q = params.honestDrawRate;
  const acc = new Accumulator();
  for (let i = 0; i < runs; i++) {
    const value = drawLease(leases, rng);
    const protocolFee = (params.protocolFeeBps / BPS) * value;
    const randomPay = p > 0 ? Math.min(value, (fee * value) / p) : 0;
    const forcedPay = params.forcedPaysOwnFee ? fee * value : randomPay;
    const rearmCost = params.txCost + value * params.capitalRate * (params.rearmDelay / YEAR);
    let net = -protocolFee + (params.rewardFeeCapBps / BPS) * protocolFee - fee * value;
    const sampled = rng.uniform() < p;
    const mine = rng.uniform() < share;
    if (sampled && mine) {
      net += randomPay;
    } else if (sampled && rng.uniform() < q) {
      // the honest picked validator drew and was paid
    } else if (withholdingPays(share, q, forcedPay, rearmCost)) {
      for (let tries = 1; tries < 1_000_000; tries++) {
        net -= rearmCost;
        if (rng.uniform() < share) {
          net += forcedPay;
          break;
        }
        if (rng.uniform() < q) break; // the honest picked validator drew and was paid
      }
    }
    acc.add(net);
  }
  return acc.estimate();
}

function withholdingPays(s: number, q: number, forcedPay: number, rearmCost: number): boolean {
  const perTry = s + (1 - s) * q;
  return perTry > 0 && (s / perTry) * forcedPay - rearmCost / perTry > 0;
}

// ---------------------------------------------------------------------------------------------------
// Just-in-time delegation

/** A provider's delegation pool in one epoch. */
export interface EpochCase {
  /** XPL delegated during the whole epoch. */
  present: number;
  /** The delegators' reward for the epoch. */
  reward: number;
  /** XPL the attacker delegates right after the epoch ends, distributing in the same transaction. */
  arriving: number;
}

/**
 * Profit of delegating right after an epoch ends and distributing in the same transaction: its share
 * of the ended epoch's reward (none when arrivals wait an epoch) less two transactions.
 */
export function jitProfit(epoch: EpochCase, params: AttackParams): number {
  const share = params.arrivalEpochs === 0 ? epoch.arriving / (epoch.present + epoch.arriving) : 0;
  return share * epoch.reward - 2 * params.txCost;
}

/** The honest yield of the same XPL delegated through the epoch: its share of the reward. */
export function holdingYield(epoch: EpochCase): number {
  return (epoch.arriving / (epoch.present + epoch.arriving)) * epoch.reward;
}

function drawEpoch(rng: Rng): EpochCase {
  // Pools from 10k to 1M XPL, rewards 0.1–1 % of the pool per epoch, an attacker of 10k to 10M XPL.
  const present = 10 ** (4 + 2 * rng.uniform());
  return { present, reward: present * 10 ** (-3 + rng.uniform()), arriving: 10 ** (4 + 3 * rng.uniform()) };
}

// ---------------------------------------------------------------------------------------------------
// No-show farming

/** The penalty one no-show of a lease worth V takes when `allowance` XPL may still be taken from the provider. */
export function noShowPenalty(value: number, allowance: number, params: AttackParams): number {
  return Math.min((params.noShowPenaltyBps / BPS) * value, params.noShowPenaltyCap, allowance);
}

/** A farmer that opens leases against an offline provider and cancels each after the start deadline, for one period. */
export interface NoShowFarm {
  /** The provider's loss over the period (all no-shows it can be charged). */
  providerLoss: number;
  /** The farmer's profit over the period: its share of the penalties less gas and the escrow's opportunity cost. */
  farmerProfit: number;
  leases: number;
}

/**
 * Farms one unbonding period against a provider with backing B using leases worth V, 20 % of each
 * penalty to the farmer. With the per-period allowance the penalties stop once they have taken
 * noShowBackingCapBps of B; without it each no-show takes up to that share of what is left, and the
 * farm runs until it has cancelled `maxLeases` leases.
 */
export function farmNoShows(value: number, backing: number, params: AttackParams, maxLeases = 10_000): NoShowFarm {
  const share = params.noShowBackingCapBps / BPS;
  const escrow = value * (1 + params.verificationFeeBps / BPS);
  const lockedCost = escrow * params.capitalRate * (params.startDeadline / YEAR);
  let allowance = share * backing;
  let taken = 0;
  let farmer = 0;
  let leases = 0;
  for (; leases < maxLeases; leases++) {
    if (!params.noShowCapPerPeriod) allowance = share * (backing - taken);
    const penalty = noShowPenalty(value, allowance, params);
    if (penalty <= 1e-9) break;
    if (params.noShowCapPerPeriod) allowance -= penalty;
    taken += penalty;
    farmer += (params.noShowClientShareBps / BPS) * penalty - 2 * params.txCost - lockedCost;
  }
  return { providerLoss: taken, farmerProfit: farmer, leases };
}

/**
 * The same farmer against a provider that is online: the provider starts the lease, so there is no
 * penalty; the farmer stops it at once and has paid two transactions (and any seconds it ran).
 */
export function noShowOnlineProfit(params: AttackParams): number {
  return -2 * params.txCost;
}

/** A provider that no-shows a lease of its own client: the client's share comes back, its own share of the slash is lost. */
export function selfNoShowGain(value: number, backing: number, ownShare: number, params: AttackParams): number {
  const penalty = noShowPenalty(value, (params.noShowBackingCapBps / BPS) * backing, params);
  return (params.noShowClientShareBps / BPS - ownShare) * penalty - 2 * params.txCost;
}

// ---------------------------------------------------------------------------------------------------
// Lazy validator in tolerance mode

/**
 * A validator's pay per XPL of V in tolerance mode: the fee over the chance of a paid re-execution,
 * p·(1 + audit), at most V (VerificationManager._payCap).
 */
export function tolerancePay(params: AttackParams): number {
  const chance = (params.samplingRateBps / BPS) * (1 + params.toleranceAuditBps / BPS);
  return chance > 0 ? Math.min(1, params.verificationFeeBps / BPS / chance) : 0;
}

/**
 * Profit per tolerance-mode assignment of a validator that attests a match without re-executing, over
 * an honest one: it saves c·V and, when the match is audited (its outputs do not reproduce), loses
 * validatorSlashBps of its stake (the minimum stake) and its pay.
 */
export function lazyToleranceProfit(value: number, costRatio: number, params: AttackParams): number {
  const audit = params.toleranceAuditBps / BPS;
  const slash = (params.validatorSlashBps / BPS) * params.minValidatorStake;
  return costRatio * value - audit * (slash + tolerancePay(params) * value);
}

/** The lease value above which laziness in tolerance mode pays at cost ratio c (Infinity: never). */
export function lazyToleranceBreakEvenValue(params: AttackParams, costRatio = 1): number {
  const audit = params.toleranceAuditBps / BPS;
  const perXpl = costRatio - audit * tolerancePay(params);
  const slash = (params.validatorSlashBps / BPS) * params.minValidatorStake;
  return perXpl > 0 ? (audit * slash) / perXpl : Number.POSITIVE_INFINITY;
}

// ---------------------------------------------------------------------------------------------------
// All attacks at one setting

export interface AttackOptions {
  params: AttackParams;
  /** The leases the attacks see (capped by the provider stake's collateral allowance). */
  leases: CappedLeases;
  /** The cost ratio the verdicts are taken at: the largest, where skipping work saves the most. */
  costRatio: number;
  /** Backing of the provider a no-show farmer targets, and the share of it that is the provider's own. */
  backing: number;
  ownShare: number;
  runs: number;
  seed: number;
}

const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;

/** Monte Carlo of f(V) over lease values, each draw also given the stream for the rule's own chances. */
function mcOver(leases: CappedLeases, runs: number, rng: Rng, f: (v: number, rng: Rng) => number): Estimate {
  const acc = new Accumulator();
  for (let i = 0; i < runs; i++) acc.add(f(drawLease(leases, rng), rng));
  return acc.estimate();
}

/** Every attack of issue 16 with its verdict; informational findings follow the gated rows. */
export function runAttacks(options: AttackOptions): AttackRow[] {
  const { params, leases, costRatio: c, runs, seed } = options;
  const meanValue = cappedMean(leases);
  let stream = 2_000_000; // apart from the grid's and the strategies' streams
  const rng = () => new Rng(seed, stream++);
  const s = params.attackerShare;
  const rows: AttackRow[] = [];
  const verdict = (profit: number) => verdictOf(profit, meanValue);

  // All of these are linear in V, so E[f(V)] = f(E[V]). The validator attacks gain with V against a fixed
  // slash: they are judged at the largest verified lease, where they gain the most.
  const copyAt = worstReachableValue((v) => copyingGain(v, c, params), params);
  const copy = copyingGain(copyAt, c, params);
  rows.push({
    name: `copying 2nd validator (coalition s = ${pct(s)})`,
    unit: `per cheated lease of ${xplText(copyAt)} XPL`,
    profit: copy,
    mc: simulateCopying(only(copyAt), c, params, runs, rng()),
    verdict: verdictOf(copy, copyAt),
    dependsOn: "s, p, collateral, validatorSlashBps, minValidatorStake, the verified-lease cap",
    reason: `needs v2 and v3 both accomplices (s² = ${pct(s * s)}); a contradicted copy costs ${xplText(
      (params.validatorSlashBps / BPS) * params.minValidatorStake,
    )} XPL of stake and its pay; ${reachable(copyingBreakEvenValue(params, c), params)}`,
    gated: true,
  });

  for (const share of GRINDING_SHARES) {
    const profit = expectGrinding(leases, params, share);
    rows.push({
      name: `draw grinding (client+provider+validator, s = ${pct(share)})`,
      unit: "per self-dealt lease",
      profit,
      mc: simulateGrinding(leases, params, share, runs, rng()),
      verdict: verdict(profit),
      dependsOn: "s, p, fee, forced-sample pay, protocol fee, reward cap, honest draws",
      reason: params.forcedPaysOwnFee
        ? "a re-armed draw pays back only the lease's own fee: withholding recovers at most what it paid" +
          (params.honestDrawRate > 0
            ? ` (if honest picked validators never drew, it would pay for s > ${pct(grindingBreakEvenShare(leases, { ...params, honestDrawRate: 0 }))})`
            : "")
        : "a re-armed draw pays min(V, fee/p): withholding turns its own fee into a full validator payment",
      gated: true,
    });
  }

  const jitRng = rng();
  const jit = new Accumulator();
  const hold = new Accumulator();
  for (let i = 0; i < runs; i++) {
    const epoch = drawEpoch(jitRng);
    jit.add(jitProfit(epoch, params));
    hold.add(holdingYield(epoch));
  }
  const jitMc = jit.estimate();
  // With arrivals waiting, the profit is exactly the gas; otherwise only the Monte Carlo knows it.
  const jitProfitClosed = params.arrivalEpochs > 0 ? -2 * params.txCost : jitMc.mean;
  rows.push({
    name: "just-in-time delegation",
    unit: "per epoch",
    profit: jitProfitClosed,
    mc: jitMc,
    verdict: verdictOf(jitProfitClosed, 1e-3),
    dependsOn: "arrival delay (epochs), reward per epoch, gas",
    reason:
      params.arrivalEpochs === 0
        ? "stake that arrives after the epoch ends takes its share of that epoch's reward"
        : `arrivals wait ${params.arrivalEpochs} epoch: it earns nothing (holding it through the epoch earns ${xplText(hold.estimate().mean)} XPL)`,
    gated: true,
  });

  const online = noShowOnlineProfit(params);
  rows.push({
    name: "no-show farming (provider online)",
    unit: "per lease",
    profit: online,
    mc: exact(online),
    verdict: verdictOf(online, 1e-3),
    dependsOn: "gas (no penalty when the provider starts the lease)",
    reason: "a provider that is online starts the lease: no penalty, the farmer pays gas and any seconds it ran",
    gated: true,
  });
  const farm = farmNoShows(meanValue, options.backing, params);
  const capped = params.noShowCapPerPeriod;
  rows.push({
    name: "no-show farming (provider offline)",
    unit: "per period",
    profit: farm.farmerProfit,
    mc: exact(farm.farmerProfit),
    // A penalty for a provider that really is offline is the point; what must hold is its bound.
    verdict: capped ? "bounded" : "CHEATING PAYS",
    dependsOn: "noShowBackingCapBps per unbonding period, noShowPenaltyBps, noShowPenaltyCap, noShowClientShareBps",
    reason: capped
      ? `the offline provider's fault; the farmer's take per lease is at most ${pct(((params.noShowClientShareBps / BPS) * params.noShowPenaltyBps) / BPS)} of V, and the provider (backing ${xplText(options.backing)}) loses at most ${xplText(farm.providerLoss)} XPL (${pct(params.noShowBackingCapBps / BPS)}) per unbonding period, over ${farm.leases} leases`
      : `no period cap: ${farm.leases} leases take ${xplText(farm.providerLoss)} of ${xplText(options.backing)} XPL backing`,
    gated: true,
  });

  const audit = params.toleranceAuditBps / BPS;
  const slash = (params.validatorSlashBps / BPS) * params.minValidatorStake;
  const lazyAt = worstReachableValue((v) => lazyToleranceProfit(v, c, params), params);
  const lazy = lazyToleranceProfit(lazyAt, c, params);
  rows.push({
    name: "lazy validator, tolerance mode",
    unit: `per assignment of ${xplText(lazyAt)} XPL`,
    profit: lazy,
    mc: mcOver(
      only(lazyAt),
      runs,
      rng(),
      (v, r) => c * v - (r.uniform() < audit ? slash + tolerancePay(params) * v : 0),
    ),
    verdict: verdictOf(lazy, lazyAt),
    dependsOn: "toleranceAuditBps, validatorSlashBps, minValidatorStake, the verified-lease cap",
    reason: `saves c·V; an audit (${pct(audit)}) costs it ${xplText(slash)} XPL of stake and its pay; ${reachable(
      lazyToleranceBreakEvenValue(params, c),
      params,
    )}`,
    gated: true,
  });

  // Findings beyond the list: printed, not gated (see README-section.md).
  const first = colludingFirstGain(meanValue, c, params);
  rows.push({
    name: `colluding 1st validator, exact mode (s = ${pct(s)})`,
    unit: "per cheated lease",
    profit: first,
    mc: mcOver(leases, runs, rng(), (v, r) => {
      const { p } = rates(params);
      if (r.uniform() >= p) return c * v; // not sampled: the cheat saves the cost
      if (r.uniform() < s) return 2 * c * v; // its own validator attests: both skip the work
      return c * v - (rates(params).locked + rates(params).collateral) * v;
    }),
    verdict: verdict(first),
    dependsOn: "s, p, collateral, c",
    reason: `an accomplice drawn first attests the wrong result: pays for s > ${pct(colludingFirstBreakEvenShare(params, c))} at c = ${c}`,
    gated: false,
  });
  const self = selfNoShowGain(meanValue, options.backing, options.ownShare, params);
  rows.push({
    name: `provider no-shows its own client (own stake ${pct(options.ownShare)})`,
    unit: "per lease",
    profit: self,
    mc: mcOver(leases, runs, rng(), (v) => selfNoShowGain(v, options.backing, options.ownShare, params)),
    verdict: verdict(self),
    dependsOn: "noShowClientShareBps, the provider's own share of its backing",
    reason: `the client's ${pct(params.noShowClientShareBps / BPS)} comes back and delegators pay the rest: pays while its own share is below that`,
    gated: false,
  });
  return rows;
}

/** Whether a validator attack's break-even lease value is one the verified-lease cap lets anyone open. */
function reachable(breakEven: number, params: AttackParams): string {
  const cap = maxVerifiedValue(params);
  const capText = Number.isFinite(cap)
    ? `the ${xplText(cap)} XPL verified-lease cap (slash / ${params.slashPerVerifiedValue})`
    : "no verified-lease cap";
  if (!Number.isFinite(breakEven)) return `never pays (${capText})`;
  return breakEven >= cap
    ? `pays only for V > ${xplText(breakEven)} XPL, above ${capText}: it loses on every lease it can reach`
    : `pays for V > ${xplText(breakEven)} XPL, under ${capText}`;
}

function exact(x: number): Estimate {
  return { mean: x, se: 0, lo: x, hi: x, n: 1 };
}

function xplText(x: number): string {
  if (!Number.isFinite(x)) return "∞";
  return x.toLocaleString("en-US", { maximumFractionDigits: 0 });
}

/** Why the defaults fail, one line per gated attack that does not lose money (bounded counts as holding). */
export function judgeAttacks(rows: readonly AttackRow[]): string[] {
  return rows
    .filter((row) => row.gated && row.verdict !== "cheating loses" && row.verdict !== "bounded")
    .map((row) => `${row.name}: ${row.verdict} (${row.profit.toFixed(2)} XPL ${row.unit})`);
}
