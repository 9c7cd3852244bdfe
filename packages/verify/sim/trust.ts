// `npm run sim:trust [-- --seed N --runs N --miss-rate R]`: does cheating pay? The grid of always-cheat
// vs honest over sampling rate, collateral, cost ratio and stake; the strategies at the defaults; and a
// final verdict on the defaults (exit code 1 when some cheating strategy does not lose money).
import { type AttackRow, DEFAULT_ATTACK_PARAMS, judgeAttacks, runAttacks } from "./attacks.ts";
import {
  agrees,
  DEFAULT_LEASES,
  DEFAULT_PARAMS,
  type DefaultsVerdict,
  DISPUTE_STEPS,
  deterrence,
  exitEscapes,
  type GridCell,
  judgeDefaults,
  leaseCap,
  maxVerifiedValue,
  type Params,
  runGrid,
  runStrategies,
  type StrategyReport,
  type Verdict,
} from "./model.ts";
import { formatTable, interval, percent, plusMinus, signedXpl, wrap, xpl } from "./table.ts";

export const STAKES = [1_000, 10_000, 100_000] as const;
export const SAMPLING_RATES_BPS = [200, 500, 1_000, 2_000] as const;
export const COLLATERAL_RATIOS_BPS = [10_000, 50_000, 100_000, 200_000] as const;
export const COST_RATIOS = [0.3, 0.6, 1.0] as const;
/** Stake of the provider in the strategy comparison. */
export const DEFAULT_STAKE = 10_000;
/** Leases a "cheat then exit" provider holds at once before it unstakes. */
export const EXIT_BURST = 10;
/** Share of cheated leases among its assignments in the second lazy-validator row. */
export const LAZY_CHEAT_SHARE = 0.5;
/** The most verification may cost clients, as a share of V, for the defaults to pass. */
export const MAX_OVERHEAD = 0.1;
/** Backing of the provider the no-show attacks target, and the share of it that is its own stake. */
export const NO_SHOW_BACKING = 100_000;
export const NO_SHOW_OWN_SHARE = 0.1;
/** Strategies run this many times more Monte Carlo leases than a grid cell: their gains are small. */
export const STRATEGY_RUNS_FACTOR = 10;

export interface Options {
  seed: number;
  /** Monte Carlo leases per grid cell and per strategy. */
  runs: number;
  /** e_miss. */
  missRate: number;
  help: boolean;
}

export const DEFAULT_OPTIONS: Readonly<Options> = Object.freeze({ seed: 1, runs: 100_000, missRate: 0, help: false });
export const MAX_RUNS = 2_000_000;

export const USAGE = `usage: npm run sim:trust [-- --seed N] [--runs N] [--miss-rate R]
  --seed N        PRNG seed, an integer 0..4294967295 (default ${DEFAULT_OPTIONS.seed})
  --runs N        Monte Carlo leases per grid cell (${STRATEGY_RUNS_FACTOR}× that per strategy), 100..${MAX_RUNS} (default ${DEFAULT_OPTIONS.runs})
  --miss-rate R   e_miss, chance a re-execution misses a wrong result, 0 <= R < 1 (default 0: exact mode)`;

/** A bad command line: reported as one message and the usage, never a stack trace. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** Parses the command line (`--name value` or `--name=value`). Throws UsageError. */
export function parseArgs(argv: readonly string[]): Options {
  const options: Options = { ...DEFAULT_OPTIONS };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (arg === "--help" || arg === "-h") {
      options.help = true;
      continue;
    }
    const match = /^(--[a-z-]+)(?:=(.*))?$/s.exec(arg);
    const name = match?.[1];
    if (name !== "--seed" && name !== "--runs" && name !== "--miss-rate") {
      throw new UsageError(`unknown argument ${JSON.stringify(arg)}`);
    }
    let value = match?.[2];
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined) throw new UsageError(`${name} needs a value`);
    }
    if (name === "--seed") options.seed = integer(name, value, 0, 0xffff_ffff);
    else if (name === "--runs") options.runs = integer(name, value, 100, MAX_RUNS);
    else options.missRate = fraction(name, value);
  }
  return options;
}

function integer(name: string, text: string, min: number, max: number): number {
  const value = /^\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`${name} expects an integer from ${min} to ${max}, got ${JSON.stringify(text)}`);
  }
  return value;
}

function fraction(name: string, text: string): number {
  const value = text.trim() === "" ? Number.NaN : Number(text);
  if (!Number.isFinite(value) || value < 0 || value >= 1) {
    throw new UsageError(`${name} expects a number with 0 <= R < 1, got ${JSON.stringify(text)}`);
  }
  return value;
}

/** The report and whether the defaults pass. */
export interface Report {
  text: string;
  grid: GridCell[];
  strategies: StrategyReport;
  attacks: AttackRow[];
  verdict: DefaultsVerdict;
}

const times = (bps: number) => `${bps / 10_000}×`;
const pct = (bps: number) => `${bps / 100}%`;

/** Runs the simulation and renders the report. */
export function buildReport(options: Options): Report {
  const params: Params = { ...DEFAULT_PARAMS, missRate: options.missRate };
  const grid = runGrid({
    params,
    leases: DEFAULT_LEASES,
    stakes: STAKES,
    samplingRatesBps: SAMPLING_RATES_BPS,
    collateralRatiosBps: COLLATERAL_RATIOS_BPS,
    costRatios: COST_RATIOS,
    runs: options.runs,
    seed: options.seed,
  });
  const strategies = runStrategies({
    params,
    leases: DEFAULT_LEASES,
    stake: DEFAULT_STAKE,
    costRatios: COST_RATIOS,
    runs: options.runs * STRATEGY_RUNS_FACTOR,
    seed: options.seed,
    exitBurst: EXIT_BURST,
    lazyCheatShare: LAZY_CHEAT_SHARE,
  });
  const attacks = runAttacks({
    params: { ...DEFAULT_ATTACK_PARAMS, missRate: options.missRate },
    leases: strategies.leases,
    costRatio: Math.max(...COST_RATIOS),
    backing: NO_SHOW_BACKING,
    ownShare: NO_SHOW_OWN_SHARE,
    runs: options.runs * STRATEGY_RUNS_FACTOR,
    seed: options.seed,
  });
  const judged = judgeDefaults(strategies, MAX_OVERHEAD);
  const attackFailures = judgeAttacks(attacks);
  const verdict: DefaultsVerdict = {
    ...judged,
    ok: judged.ok && attackFailures.length === 0,
    failures: [...judged.failures, ...attackFailures],
  };
  const text = [
    ...header(options),
    "",
    ...gridSection(grid),
    "",
    ...strategySection(strategies),
    "",
    ...attackSection(attacks),
    "",
    finalLine(params, strategies, verdict),
  ].join("\n");
  return { text, grid, strategies, attacks, verdict };
}

function header(options: Options): string[] {
  const eMiss = options.missRate === 0 ? "0 (exact mode)" : String(options.missRate);
  const runs = `Monte Carlo: ${xpl(options.runs, 0)} leases per grid cell, ${xpl(options.runs * STRATEGY_RUNS_FACTOR, 0)} per strategy`;
  return [
    "Plasma verification economics: does cheating pay?",
    `Seed ${options.seed}; ${runs}; e_miss ${eMiss}.`,
    ...wrap(
      `Lease value V: log-normal, median ${DEFAULT_LEASES.median} XPL, sigma ${DEFAULT_LEASES.sigma}, capped at stake / collateral ratio` +
        ` (one open lease per provider) and at the verified-lease cap, a validator's slash / ${DEFAULT_PARAMS.slashPerVerifiedValue}` +
        ` = ${xpl(maxVerifiedValue(DEFAULT_PARAMS), 0)} XPL.` +
        " Honest work costs C = c·V. A cheater spends nothing and keeps V unless the lease is" +
        " sampled and the wrong result caught (chance p·(1 - e_miss)); then V is refunded and S = collateral × V slashed." +
        " Cheating loses money iff p·(1 - e_miss)·(V + S) > C, i.e. iff c < p·(1 - e_miss)·(1 + collateral).",
    ),
  ];
}

/** The grid verdict of a cell: pays iff c > the break-even cost ratio. */
function gridVerdict(cell: GridCell): string {
  const k = cell.breakEvenCost;
  if (k > 1 + 1e-9) return "cheating loses";
  if (k >= 1 - 1e-9) return "cheating loses (break-even at c = 1)";
  return `CHEATING PAYS if c > ${k.toFixed(2)}`;
}

function gridSection(grid: readonly GridCell[]): string[] {
  const cs = COST_RATIOS.map((c) => c.toFixed(1));
  const lines = wrap(
    "1. Cheat on every lease vs honest: expected profit per lease in XPL (closed form) and the cheater's Monte Carlo mean" +
      " ±95% interval. honest = (1 - c)·E[V]; cheat = (1 - p·(1 + collateral))·E[V] whatever c. The verdict is the same at" +
      " every stake (the stake only caps V). overhead = verification fee + disputes paid by clients, in % of V (in exact" +
      " mode honest providers and validators never dispute).",
    116,
    "   ",
  );
  for (const stake of STAKES) {
    const cells = grid.filter((cell) => cell.stake === stake);
    lines.push("", `Stake ${xpl(stake, 0)} XPL`);
    const table = formatTable(
      [
        { header: "p" },
        { header: "coll" },
        { header: "V cap" },
        { header: "E[V]" },
        ...cs.map((c, i) => ({ header: i === 0 ? `honest c=${c}` : `c=${c}` })),
        { header: "cheat" },
        { header: "cheat MC" },
        { header: "verdict", align: "left" },
        { header: "overhead" },
      ],
      cells.map((cell) => [
        pct(cell.params.samplingRateBps),
        times(cell.params.collateralRatioBps),
        xpl(cell.cap, 0),
        xpl(cell.meanValue),
        ...cell.honest.map((h) => xpl(h)),
        xpl(cell.cheat),
        plusMinus(cell.cheatMc),
        gridVerdict(cell),
        percent(cell.overhead.total),
      ]),
    );
    lines.push(...table.split("\n"));
  }
  const combos = grid.filter((cell) => cell.stake === STAKES[0]);
  const count = (v: Verdict) => combos.reduce((n, cell) => n + cell.verdicts.filter((w) => w === v).length, 0);
  const inside = grid.filter((cell) => agrees(cell.cheatMc, cell.cheat)).length;
  const within4 = grid.filter((cell) => agrees(cell.cheatMc, cell.cheat, 4)).length;
  const underpaid = [...new Set(combos.filter((c) => c.overhead.pay < 1).map((c) => pct(c.params.samplingRateBps)))];
  const even = count("break-even");
  const evenText = even > 0 ? `, breaks even in ${even} (where c=p·(1+collateral))` : "";
  lines.push(
    "",
    ...wrap(
      `Of the ${combos.length * COST_RATIOS.length} (p, collateral, c) cells, CHEATING PAYS in ${count("CHEATING PAYS")},` +
        ` cheating loses in ${count("cheating loses")}${evenText}; the same at every stake.` +
        ` Monte Carlo: the closed form lies inside the 95% interval in ${inside} of ${grid.length} cells (about 95% expected),` +
        ` within 4 standard errors in ${within4}.`,
    ),
  );
  if (underpaid.length > 0) {
    lines.push(
      ...wrap(
        `At p = ${underpaid.join(", ")} a ${percent(combos[0]?.overhead.fee ?? 0)} fee pays a validator only fee/p·V per` +
          " re-execution (pay is min(V, fee/p)), less than re-running a lease that costs more: the fee must be at least p.",
      ),
    );
  }
  return lines;
}

function strategySection(report: StrategyReport): string[] {
  const { params } = report;
  const cs = report.costRatios.map((c) => c.toFixed(1));
  const worst = report.costRatios.length - 1;
  const cWorst = cs[worst] ?? "";
  const nan = { mean: Number.NaN, lo: Number.NaN, hi: Number.NaN };
  const lines = [
    ...wrap(
      `2. Strategies at the defaults: p = ${pct(params.samplingRateBps)}, collateral ${times(params.collateralRatioBps)},` +
        ` fee ${pct(params.verificationFeeBps)}, bounty ${pct(params.bountyBps)}, e_miss ${params.missRate};` +
        ` provider stake ${xpl(report.stake, 0)} XPL, so V <= ${xpl(report.leases.cap, 0)} XPL. An honest provider earns` +
        ` (1 - c)·E[V] = ${report.honestProfit.map((p) => xpl(p)).join(" / ")} XPL per lease at c = ${cs.join(" / ")}.` +
        " gain = expected profit per lease minus an honest provider's on the same leases, in XPL; the Monte Carlo is at" +
        ` c = ${cWorst}, where cheating saves the most; a verdict is the least favourable over the c listed.`,
      116,
      "   ",
    ),
    "",
  ];
  const providerTable = formatTable(
    [
      { header: "provider strategy", align: "left" },
      { header: "E[V]" },
      ...cs.map((c, i) => ({ header: i === 0 ? `gain c=${c}` : `c=${c}` })),
      { header: `MC gain c=${cWorst} [95% CI]` },
      { header: "verdict", align: "left" },
    ],
    report.providers.map((row) => [
      row.name,
      xpl(row.expectation.meanValue),
      ...row.gain.map((g) => signedXpl(g)),
      interval(row.mc.gain[worst] ?? nan),
      worstVerdict(row.verdicts),
    ]),
  );
  lines.push(...providerTable.split("\n"), "");
  const validatorTable = formatTable(
    [
      { header: "validator, per assignment", align: "left" },
      ...cs.map((c, i) => ({ header: i === 0 ? `profit c=${c}` : `c=${c}` })),
      { header: `MC profit c=${cWorst} [95% CI]` },
      { header: "vs honest validator", align: "left" },
    ],
    report.validators.map((row) => [
      row.name,
      ...row.profit.map((p) => signedXpl(p)),
      interval(row.mc[worst] ?? nan),
      row.strategy === "honest"
        ? ""
        : worstVerdict(row.verdicts.map((v) => v ?? "cheating loses")).replace("cheating", "laziness"),
    ]),
  );
  lines.push(...validatorTable.split("\n"), "");
  const breakEven = report.lazyBreakEven[worst] ?? Number.POSITIVE_INFINITY;
  const exit = report.providers.find((row) => row.strategy.kind === "exit");
  const shortfalls = report.providers.reduce((n, row) => n + row.mc.shortfalls, 0);
  const noLock = deterrence({ ...params, lockedPayoutBps: 0 });
  const noLockVerdict =
    noLock > 1 + 1e-9
      ? "still above any c <= 1"
      : noLock >= 1 - 1e-9
        ? "break-even at c = 1"
        : `CHEATING PAYS for c > ${noLock.toFixed(2)}`;
  const burst = exit?.strategy.kind === "exit" ? exit.strategy.burst : EXIT_BURST;
  const share = breakEven > 1 ? "more than all" : `over ${percent(breakEven)}`;
  const status = exitEscapes(params) ? "already released: the exit ESCAPES the slash" : "still slashable";
  lines.push(
    ...wrap(
      `Lazy validator: it cannot produce the hidden result hash, so it claims "mismatch"; the honest provider disputes, a` +
        ` second validator re-executes, and the lazy one loses ${pct(params.validatorSlashBps)} of its` +
        ` ${xpl(params.minValidatorStake, 0)} XPL stake. At c = ${cWorst} it would out-earn an honest validator only if` +
        ` ${share} of its assignments were cheated leases.`,
    ),
    ...wrap(
      `Cheat then exit: its ${burst} leases open at once share the collateral allowance` +
        ` (V <= ${xpl(leaseCap(report.stake, params) / burst, 0)} XPL each); a disputed verification ends within` +
        ` ${(DISPUTE_STEPS * params.verificationWindow) / 3600} h and the unbonding period is` +
        ` ${params.unbondingPeriod / 86_400} days, so the stake is ${status}. No slash in the Monte Carlo exceeded the` +
        ` provider's bonded stake (${shortfalls} shortfalls).`,
    ),
    ...wrap(
      "Locked payout: if the payout had been settled before the lease completed (nothing locked until verification), the" +
        ` refund would come out of the slash and the deterrent would drop to p·(1 - e_miss)·S = ${noLock.toFixed(2)}·V:` +
        ` ${noLockVerdict}.`,
    ),
  );
  return lines;
}

function attackSection(rows: readonly AttackRow[]): string[] {
  const p = DEFAULT_ATTACK_PARAMS;
  const lines = wrap(
    `3. The attacks of issue 16 at the defaults (c = ${Math.max(...COST_RATIOS).toFixed(1)}, leases as in 2; tolerance audit` +
      ` ${pct(p.toleranceAuditBps)}, validator slash ${pct(p.validatorSlashBps)} of ${xpl(p.minValidatorStake, 0)} XPL, no-show` +
      ` penalty min(${pct(p.noShowPenaltyBps)} of V, ${xpl(p.noShowPenaltyCap, 0)} XPL), all of an unbonding period at most` +
      ` ${pct(p.noShowBackingCapBps)} of backing, ${pct(p.noShowClientShareBps)} to the client;` +
      ` gas ${p.txCost} XPL a transaction, capital at ${p.capitalRate * 100}% a year). The validator attacks gain with V` +
      ` against a fixed slash, so they are taken at the largest verified lease: ${xpl(maxVerifiedValue(p), 0)} XPL, a` +
      ` validator's slash / ${p.slashPerVerifiedValue}. profit = expected XPL over honest` +
      " behaviour; the Monte Carlo plays the same rules with their own random draws. Rows marked * are findings outside" +
      " the issue's list: shown, not gated.",
    116,
    "   ",
  );
  const table = formatTable(
    [
      { header: "attack", align: "left" },
      { header: "per", align: "left" },
      { header: "profit" },
      { header: "MC [95% CI]" },
      { header: "verdict", align: "left" },
    ],
    rows.map((row) => [
      `${row.gated ? "" : "* "}${row.name}`,
      row.unit,
      signedXpl(row.profit, 2),
      interval(row.mc, 2),
      row.verdict,
    ]),
  );
  lines.push("", ...table.split("\n"), "");
  let previous = "";
  for (const row of rows) {
    if (row.reason === previous) continue; // the grinding rows share theirs
    previous = row.reason;
    lines.push(...wrap(`${row.gated ? "" : "* "}${row.name}: ${row.reason}. Depends on: ${row.dependsOn}.`, 116, "  "));
  }
  return lines;
}

/** The least favourable verdict over the cost ratios. */
function worstVerdict(verdicts: readonly Verdict[]): Verdict {
  if (verdicts.includes("CHEATING PAYS")) return "CHEATING PAYS";
  if (verdicts.includes("break-even")) return "break-even";
  return "cheating loses";
}

function finalLine(params: Params, report: StrategyReport, verdict: DefaultsVerdict): string {
  const eMiss = params.missRate > 0 ? `, e_miss ${params.missRate}` : "";
  const setting = `Defaults (p = ${pct(params.samplingRateBps)}, collateral ${times(params.collateralRatioBps)}, fee ${pct(params.verificationFeeBps)}${eMiss})`;
  if (!verdict.ok) return `${setting}: FAIL: ${verdict.failures.join("; ")}.`;
  const closest = verdict.closest;
  const margin = closest
    ? ` (closest to paying: ${signedXpl(closest.perXpl, 2)} XPL per XPL cheated, at c = ${closest.costRatio.toFixed(1)})`
    : "";
  return `${setting}: PASS: every simulated cheating strategy loses money${margin}, lazy validators lose, the issue-16 attacks lose or are bounded, overhead ${percent(report.overhead.total)} <= ${percent(MAX_OVERHEAD, 0)}.`;
}

/** Writes the report; returns the exit code (0 pass, 1 the defaults let some cheating pay, 2 bad arguments). */
export function main(
  argv: readonly string[],
  io: { out: (text: string) => void; err: (text: string) => void } = {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
  },
): number {
  let options: Options;
  try {
    options = parseArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`sim:trust: ${error.message}\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    io.out(USAGE);
    return 0;
  }
  const report = buildReport(options);
  io.out(report.text);
  return report.verdict.ok ? 0 : 1;
}

if (import.meta.main) process.exitCode = main(process.argv.slice(2));
