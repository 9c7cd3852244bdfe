import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  agrees,
  type CappedLeases,
  cappedMean,
  cappedMeanAbove,
  DEFAULT_LEASES,
  DEFAULT_PARAMS,
  deterrence,
  drawLease,
  expectedGain,
  expectProvider,
  expectValidator,
  judgeDefaults,
  lazyBreakEvenCheatShare,
  leaseCap,
  normalCdf,
  type Params,
  runGrid,
  runStrategies,
  settleLease,
  settleVerification,
  simulateProvider,
  verdictOf,
} from "../../sim/model.ts";
import { Rng } from "../../sim/prng.ts";

const COST_RATIOS = [0.3, 0.6, 1.0];

function strategies(params: Params, runs = 100_000, seed = 7) {
  return runStrategies({
    params,
    leases: DEFAULT_LEASES,
    stake: 10_000,
    costRatios: COST_RATIOS,
    runs,
    seed,
    exitBurst: 10,
    lazyCheatShare: 0.5,
  });
}

/** Expected cheat and honest profit on one lease of value v, by enumerating the outcomes with settleLease. */
function enumerate(v: number, c: number, params: Params) {
  const p = params.samplingRateBps / 10_000;
  const e = params.missRate;
  const base = { value: v, cost: c * v, slashable: true };
  const profit = (cheated: boolean, sampled: boolean, detected: boolean) =>
    settleLease({ ...base, cheated, sampled, detected }, params).provider;
  const cheat =
    (1 - p) * profit(true, false, true) + p * (1 - e) * profit(true, true, true) + p * e * profit(true, true, false);
  const honest = (1 - p) * profit(false, false, true) + p * profit(false, true, true);
  return { cheat, honest };
}

const paramsArb = fc.record({
  samplingRateBps: fc.integer({ min: 1, max: 5_000 }),
  verificationFeeBps: fc.integer({ min: 0, max: 5_000 }),
  collateralRatioBps: fc.integer({ min: 0, max: 500_000 }),
  bountyBps: fc.integer({ min: 0, max: 10_000 }),
  missRate: fc.double({ min: 0, max: 0.9, noNaN: true }),
  lockedPayoutBps: fc.integer({ min: 0, max: 10_000 }),
});

describe("the lease-value distribution", () => {
  it("computes the normal CDF to 1e-7", () => {
    assert.ok(Math.abs(normalCdf(0) - 0.5) < 1e-7);
    assert.ok(Math.abs(normalCdf(1.959963985) - 0.975) < 1e-7);
    assert.ok(Math.abs(normalCdf(-1) - 0.158655254) < 1e-7);
    assert.equal(normalCdf(Number.POSITIVE_INFINITY), 1);
    assert.equal(normalCdf(Number.NEGATIVE_INFINITY), 0);
  });

  it("gives the log-normal mean without a cap and the cap itself when the cap is tiny", () => {
    const uncapped: CappedLeases = { median: 50, sigma: 1.5, cap: Number.POSITIVE_INFINITY };
    assert.ok(Math.abs(cappedMean(uncapped) - 50 * Math.exp(1.125)) < 1e-4);
    assert.ok(Math.abs(cappedMean({ median: 50, sigma: 1.5, cap: 0.01 }) - 0.01) < 1e-6);
    assert.equal(cappedMeanAbove(uncapped, Number.POSITIVE_INFINITY), 0);
  });

  it("matches the capped mean and the mean above the median by sampling", () => {
    const leases: CappedLeases = { ...DEFAULT_LEASES, cap: 1_000 };
    const rng = new Rng(3);
    let sum = 0;
    let above = 0;
    const n = 400_000;
    for (let i = 0; i < n; i++) {
      const v = drawLease(leases, rng);
      sum += v;
      if (v > 50) above += v;
    }
    assert.ok(Math.abs(sum / n - cappedMean(leases)) / cappedMean(leases) < 0.01);
    assert.ok(Math.abs(above / n - cappedMeanAbove(leases, 50)) / cappedMeanAbove(leases, 50) < 0.01);
  });

  it("caps lease values at stake / collateral ratio and at the verified-lease cap", () => {
    assert.equal(leaseCap(10_000, DEFAULT_PARAMS), 1_000);
    assert.equal(leaseCap(1_000, { ...DEFAULT_PARAMS, collateralRatioBps: 200_000 }), 50);
    assert.equal(leaseCap(100_000, DEFAULT_PARAMS), 1_000, "a validator's slash / 5, whatever the stake");
    assert.equal(leaseCap(1_000, { ...DEFAULT_PARAMS, collateralRatioBps: 0 }), 1_000);
    const uncapped = { ...DEFAULT_PARAMS, collateralRatioBps: 0, slashPerVerifiedValue: 0 };
    assert.equal(leaseCap(1_000, uncapped), Number.POSITIVE_INFINITY);
  });
});

describe("settling one lease", () => {
  it("refunds a caught cheater's client from the locked payout, then the slash, and splits the rest", () => {
    const lease = { value: 100, cost: 60, cheated: true, sampled: true, detected: true, slashable: true };
    const full = settleLease(lease, DEFAULT_PARAMS);
    assert.deepEqual(full, { provider: -1_000, client: 10, validators: 200, pool: 810, slashed: 1_000, caught: true });
    // Only 30 % locked: 70 of the refund comes out of the 1,000 slash; the bounty is 10 % of the other 930.
    const partial = settleLease(lease, { ...DEFAULT_PARAMS, lockedPayoutBps: 3_000 });
    assert.equal(partial.provider, 70 - 1_000);
    assert.equal(partial.client, 10);
    assert.ok(Math.abs(partial.validators - (100 + 93)) < 1e-9);
  });

  it("pays an honest provider V - C whether or not it is sampled", () => {
    for (const sampled of [false, true]) {
      const s = settleLease(
        { value: 100, cost: 60, cheated: false, sampled, detected: true, slashable: true },
        DEFAULT_PARAMS,
      );
      assert.equal(s.provider, 40);
      assert.equal(s.caught, false);
    }
  });

  it("conserves money: what the client pays goes to the provider, its costs, validators and the pool", () => {
    fc.assert(
      fc.property(
        paramsArb,
        fc.double({ min: 0.01, max: 1e6, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        (partial, value, c, cheated, sampled, detected, slashable) => {
          const params = { ...DEFAULT_PARAMS, ...partial };
          const cost = c * value;
          const s = settleLease({ value, cost, cheated, sampled, detected, slashable }, params);
          const spent = cheated ? 0 : cost;
          const out = s.provider + spent + s.validators + s.pool;
          // The slash is money that enters from the provider's stake, already subtracted from its profit.
          assert.ok(Math.abs(s.client - out) <= 1e-9 * Math.max(1, value * 60));
        },
      ),
    );
  });
});

describe("when cheating pays", () => {
  it("pays iff p·(1 - e_miss)·(L + S) < C, over random parameters", () => {
    fc.assert(
      fc.property(
        paramsArb,
        fc.double({ min: 0.01, max: 1e5, noNaN: true }),
        fc.double({ min: 0.01, max: 1, noNaN: true }),
        (partial, v, c) => {
          const params = { ...DEFAULT_PARAMS, ...partial };
          const p = params.samplingRateBps / 10_000;
          const lossIfCaught = ((params.lockedPayoutBps + params.collateralRatioBps) / 10_000) * v; // L + S
          const margin = c * v - p * (1 - params.missRate) * lossIfCaught;
          fc.pre(Math.abs(margin) > 1e-6 * v);
          const { cheat, honest } = enumerate(v, c, params);
          assert.equal(cheat > honest, margin > 0);
          // The closed form agrees with the enumeration.
          assert.ok(Math.abs(cheat - honest - margin) <= 1e-9 * Math.max(1, lossIfCaught));
          assert.equal(verdictOf(margin, v), margin > 0 ? "CHEATING PAYS" : "cheating loses");
        },
      ),
    );
  });

  it("sits on the boundary p·(V + S) = C: 10 % sampling with 9× collateral breaks even at c = 1", () => {
    const nine = { ...DEFAULT_PARAMS, collateralRatioBps: 90_000 };
    assert.equal(deterrence(nine), 1);
    const leases: CappedLeases = { ...DEFAULT_LEASES, cap: 1_000 };
    const always = expectProvider({ kind: "always" }, leases, nine);
    assert.equal(verdictOf(expectedGain(always, 1), always.meanValue), "break-even");
    assert.equal(verdictOf(expectedGain(always, 0.99), always.meanValue), "cheating loses");
    const less = expectProvider({ kind: "always" }, leases, { ...nine, collateralRatioBps: 89_000 });
    assert.equal(verdictOf(expectedGain(less, 1), less.meanValue), "CHEATING PAYS");
    // The defaults: 10 % · (1 + 10) = 1.1 > any c <= 1.
    assert.ok(Math.abs(deterrence(DEFAULT_PARAMS) - 1.1) < 1e-12);
  });

  it("shows a paying cheat in the Monte Carlo too (p = 20 %, collateral 1×, c = 0.6)", () => {
    const params = { ...DEFAULT_PARAMS, samplingRateBps: 2_000, collateralRatioBps: 10_000 };
    const leases: CappedLeases = { ...DEFAULT_LEASES, cap: 1_000 };
    const mc = simulateProvider({ kind: "always" }, leases, 1_000, params, [0.3, 0.6], 200_000, new Rng(11));
    const [low, high] = mc.gain;
    assert.ok(low && high);
    assert.ok(low.hi < 0, "c = 0.3 < 0.4: loses");
    assert.ok(high.lo > 0, "c = 0.6 > 0.4: pays");
  });
});

describe("closed form vs Monte Carlo", () => {
  it("agree on the whole grid within statistical bounds", () => {
    const grid = runGrid({
      params: DEFAULT_PARAMS,
      leases: DEFAULT_LEASES,
      stakes: [1_000, 10_000, 100_000],
      samplingRatesBps: [200, 500, 1_000, 2_000],
      collateralRatiosBps: [10_000, 50_000, 100_000, 200_000],
      costRatios: COST_RATIOS,
      runs: 50_000,
      seed: 5,
    });
    assert.equal(grid.length, 48);
    for (const cell of grid) {
      assert.ok(agrees(cell.cheatMc, cell.cheat, 4.5), `${JSON.stringify(cell.cheatMc)} vs ${cell.cheat}`);
      // The verdict is the sign of cheat - honest, and pays iff c > p·(1 + collateral).
      cell.verdicts.forEach((verdict, i) => {
        const c = COST_RATIOS[i] ?? 0;
        if (Math.abs(c - cell.breakEvenCost) > 1e-9) assert.equal(verdict === "CHEATING PAYS", c > cell.breakEvenCost);
      });
    }
    const inside = grid.filter((cell) => agrees(cell.cheatMc, cell.cheat)).length;
    assert.ok(inside >= 0.85 * grid.length, `${inside} of ${grid.length} inside the 95 % interval`);
  });

  it("agree for every provider and validator strategy", () => {
    const report = strategies(DEFAULT_PARAMS, 200_000);
    for (const row of report.providers) {
      row.gain.forEach((gain, i) => {
        const mc = row.mc.gain[i];
        assert.ok(mc && agrees(mc, gain, 4.5), `${row.name} at c = ${COST_RATIOS[i]}: ${mc?.mean} vs ${gain}`);
      });
    }
    for (const row of report.validators) {
      row.profit.forEach((profit, i) => {
        const mc = row.mc[i];
        assert.ok(mc && agrees(mc, profit, 4.5), `${row.name} at c = ${COST_RATIOS[i]}: ${mc?.mean} vs ${profit}`);
      });
    }
  });
});

describe("the defaults", () => {
  it("make every cheating strategy lose with 10 % overhead", () => {
    const report = strategies(DEFAULT_PARAMS);
    const verdict = judgeDefaults(report, 0.1);
    assert.deepEqual(verdict.failures, []);
    assert.equal(verdict.ok, true);
    assert.ok(verdict.closest && Math.abs(verdict.closest.perXpl - -0.1) < 1e-9);
    assert.equal(report.overhead.total, 0.1);
    for (const row of report.providers)
      assert.ok(
        row.verdicts.every((v) => v === "cheating loses"),
        row.name,
      );
    for (const row of report.providers)
      assert.equal(row.mc.shortfalls, 0, `${row.name}: the stake always covers the slash`);
  });

  it("fail when a parameter is too weak", () => {
    const weak: [string, Partial<Params>, RegExp][] = [
      ["5× collateral", { collateralRatioBps: 50_000 }, /CHEATING PAYS/],
      ["9× collateral", { collateralRatioBps: 90_000 }, /break-even/],
      ["5 % sampling", { samplingRateBps: 500 }, /CHEATING PAYS/],
      ["tolerance mode missing 20 %", { missRate: 0.2 }, /CHEATING PAYS/],
      [
        "a fee below p",
        { verificationFeeBps: 500 },
        /pays validators only 0\.50·V per re-execution, less than it costs at c = 0\.6, 1/,
      ],
      ["a 20 % fee", { verificationFeeBps: 2_000 }, /overhead 20\.0 %/],
    ];
    for (const [name, change, reason] of weak) {
      const verdict = judgeDefaults(strategies({ ...DEFAULT_PARAMS, ...change }, 2_000), 0.1);
      assert.equal(verdict.ok, false, name);
      assert.match(verdict.failures.join("\n"), reason, name);
    }
  });

  it("catch a cheat-then-exit only while the unbonding period outlasts verification", () => {
    const short = { ...DEFAULT_PARAMS, unbondingPeriod: 3_600 }; // one hour: shorter than a disputed verification
    const report = strategies(short, 2_000);
    const exit = report.providers.find((row) => row.strategy.kind === "exit");
    assert.ok(exit);
    assert.match(exit.name, /ESCAPES/);
    // Only the locked payout is lost: p·L = 0.1·V, so cheating pays for c > 0.1.
    assert.deepEqual(exit.verdicts, ["CHEATING PAYS", "CHEATING PAYS", "CHEATING PAYS"]);
    assert.equal(judgeDefaults(report).ok, false);
  });
});

describe("validators", () => {
  it("lose by attesting without re-running, whatever the cost ratio", () => {
    const leases: CappedLeases = { ...DEFAULT_LEASES, cap: 1_000 };
    for (const c of COST_RATIOS) {
      for (const share of [0, 0.1, 0.5, 0.9]) {
        const honest = expectValidator("honest", leases, DEFAULT_PARAMS, c, share);
        assert.ok(expectValidator("lazy", leases, DEFAULT_PARAMS, c, share) < honest, `c = ${c}, cheat share ${share}`);
        assert.ok(expectValidator("no-show", leases, DEFAULT_PARAMS, c, share) < honest);
      }
      assert.ok(lazyBreakEvenCheatShare(leases, DEFAULT_PARAMS, c) > 0.97);
    }
    const report = strategies(DEFAULT_PARAMS, 20_000);
    const lazy = report.validators.filter((row) => row.strategy !== "honest");
    assert.equal(lazy.length, 3);
    for (const row of lazy) {
      assert.ok(
        row.verdicts.every((v) => v === "cheating loses"),
        row.name,
      );
      assert.ok(
        row.mc.every((e) => e.hi < 0),
        `${row.name} loses money in the Monte Carlo`,
      );
    }
  });

  it("settle an assignment by the rules", () => {
    const job = { value: 100, cost: 60, cheated: false, detected: true };
    assert.equal(settleVerification("honest", job, DEFAULT_PARAMS), 40);
    assert.equal(settleVerification("lazy", job, DEFAULT_PARAMS), -5_000);
    assert.equal(settleVerification("no-show", job, DEFAULT_PARAMS), -100);
    // Against a cheater: fee V plus 10 % of the 1,000 slash (the locked payout covered the refund).
    assert.equal(settleVerification("honest", { ...job, cheated: true }, DEFAULT_PARAMS), 140);
    assert.equal(settleVerification("lazy", { ...job, cheated: true }, DEFAULT_PARAMS), 200);
  });
});

describe("the PRNG", () => {
  it("is deterministic per (seed, stream) and roughly uniform and normal", () => {
    const a = new Rng(42, 3);
    const b = new Rng(42, 3);
    const c = new Rng(42, 4);
    const seqA = Array.from({ length: 8 }, () => a.nextUint32());
    assert.deepEqual(
      seqA,
      Array.from({ length: 8 }, () => b.nextUint32()),
    );
    assert.notDeepEqual(
      seqA,
      Array.from({ length: 8 }, () => c.nextUint32()),
    );
    const rng = new Rng(1);
    let sum = 0;
    let sq = 0;
    let uniform = 0;
    const n = 200_000;
    for (let i = 0; i < n; i++) {
      const z = rng.normal();
      sum += z;
      sq += z * z;
      uniform += rng.uniform();
    }
    assert.ok(Math.abs(sum / n) < 0.01);
    assert.ok(Math.abs(sq / n - 1) < 0.01);
    assert.ok(Math.abs(uniform / n - 0.5) < 0.005);
  });
});
