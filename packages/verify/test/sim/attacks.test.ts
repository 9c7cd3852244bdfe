import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type AttackParams,
  type AttackRow,
  colludingFirstBreakEvenShare,
  colludingFirstGain,
  copyingBreakEvenValue,
  copyingGain,
  DEFAULT_ATTACK_PARAMS,
  expectGrinding,
  farmNoShows,
  grindingBreakEvenShare,
  grindingProfit,
  jitProfit,
  judgeAttacks,
  lazyToleranceBreakEvenValue,
  lazyToleranceProfit,
  noShowPenalty,
  runAttacks,
  selfNoShowGain,
  worstReachableValue,
} from "../../sim/attacks.ts";
import { agrees, type CappedLeases, DEFAULT_LEASES, leaseCap, maxVerifiedValue } from "../../sim/model.ts";

const LEASES: CappedLeases = { ...DEFAULT_LEASES, cap: leaseCap(10_000, DEFAULT_ATTACK_PARAMS) };

function attacks(change: Partial<AttackParams> = {}, runs = 40_000): AttackRow[] {
  return runAttacks({
    params: { ...DEFAULT_ATTACK_PARAMS, ...change },
    leases: LEASES,
    costRatio: 1,
    backing: 100_000,
    ownShare: 0.1,
    runs,
    seed: 3,
  });
}

function row(rows: AttackRow[], name: RegExp): AttackRow {
  const found = rows.filter((r) => name.test(r.name));
  assert.equal(found.length, 1, `one row matches ${name}`);
  return found[0] as AttackRow;
}

describe("issue-16 attacks at the defaults", () => {
  const rows = attacks();

  it("every gated attack loses money or, for an offline provider's no-shows, stays within the period cap", () => {
    assert.deepEqual(judgeAttacks(rows), []);
    for (const r of rows.filter((x) => x.gated && x.verdict === "cheating loses")) {
      assert.ok(r.profit < 0, `${r.name}: ${r.profit}`);
    }
    assert.equal(row(rows, /copying 2nd validator/).verdict, "cheating loses");
    assert.equal(row(rows, /just-in-time delegation/).verdict, "cheating loses");
    assert.equal(row(rows, /no-show farming \(provider online\)/).verdict, "cheating loses");
    assert.equal(row(rows, /no-show farming \(provider offline\)/).verdict, "bounded");
    assert.equal(row(rows, /lazy validator, tolerance mode/).verdict, "cheating loses");
    assert.equal(rows.filter((r) => /draw grinding/.test(r.name) && r.verdict === "cheating loses").length, 3);
  });

  it("agrees with its Monte Carlo within four standard errors", () => {
    for (const r of rows.filter((x) => x.mc.n > 1)) {
      assert.ok(agrees(r.mc, r.profit, 4), `${r.name}: closed ${r.profit}, MC ${r.mc.mean} ± ${r.mc.se}`);
    }
  });

  it("shows the findings beyond the issue's list without gating on them", () => {
    const findings = rows.filter((r) => !r.gated);
    assert.deepEqual(
      findings.map((r) => r.verdict),
      ["CHEATING PAYS", "CHEATING PAYS"],
    );
  });
});

describe("each attack's check can fail", () => {
  const fails = (change: Partial<AttackParams>, name: RegExp) => {
    const failures = judgeAttacks(attacks(change, 5_000));
    assert.ok(
      failures.some((f) => name.test(f)),
      `${JSON.stringify(change)} should fail ${name}: ${failures.join("; ")}`,
    );
  };

  it("copying pays on a large lease once the cap allows one (slash / 1 = 5,000 XPL)", () =>
    fails({ slashPerVerifiedValue: 1 }, /copying 2nd validator.*CHEATING PAYS/));
  it("copying pays without a verified-lease cap", () =>
    fails({ slashPerVerifiedValue: 0 }, /copying 2nd validator.*CHEATING PAYS/));
  it("grinding pays when a forced sample pays min(V, fee/p), the old rule", () =>
    fails({ forcedPaysOwnFee: false }, /draw grinding .*s = 50%.*CHEATING PAYS/));
  it("grinding pays at s = 50 % when honest picked validators never draw", () =>
    fails({ honestDrawRate: 0 }, /draw grinding .*s = 50%/));
  it("just-in-time delegation pays when arrivals earn the epoch just ended", () =>
    fails({ arrivalEpochs: 0 }, /just-in-time delegation/));
  it("no-show farming is unbounded without a period cap", () =>
    fails({ noShowCapPerPeriod: false }, /no-show farming \(provider offline\)/));
  it("a lazy tolerance validator pays without audits", () =>
    fails({ toleranceAuditBps: 0 }, /lazy validator, tolerance mode/));
  it("a lazy tolerance validator pays once the cap allows leases above 1,200 XPL (slash / 4 = 1,250 XPL)", () =>
    fails({ slashPerVerifiedValue: 4 }, /lazy validator, tolerance mode.*CHEATING PAYS/));
});

describe("copying second validator", () => {
  it("breaks even at the value it reports, and pays above it", () => {
    for (const s of [0.05, 0.1, 0.3]) {
      const params = { ...DEFAULT_ATTACK_PARAMS, attackerShare: s };
      const v = copyingBreakEvenValue(params, 1);
      assert.ok(Math.abs(copyingGain(v, 1, params)) < 1e-6 * v, `s = ${s}`);
      assert.ok(copyingGain(v * 1.1, 1, params) > 0);
      assert.ok(copyingGain(v * 0.9, 1, params) < 0);
    }
  });

  it("never pays at the verified-lease cap (1,000 XPL) for a coalition of up to 20 % of validator stake", () => {
    const cap = maxVerifiedValue(DEFAULT_ATTACK_PARAMS);
    for (let s = 0.01; s <= 0.2; s += 0.01) {
      assert.ok(copyingGain(cap, 1, { ...DEFAULT_ATTACK_PARAMS, attackerShare: s }) < 0, `s = ${s}`);
    }
    // The slash is fixed while the gain grows with V: a 10 % coalition would profit on leases above ~3,179 XPL.
    assert.ok(Math.abs(copyingBreakEvenValue(DEFAULT_ATTACK_PARAMS, 1) - 4_450 / 1.4) < 1e-6);
  });
});

describe("the verified-lease cap", () => {
  it("is a validator's slash over five: 1,000 XPL at the defaults, and grows with minValidatorStake", () => {
    assert.equal(maxVerifiedValue(DEFAULT_ATTACK_PARAMS), 1_000);
    assert.equal(maxVerifiedValue({ ...DEFAULT_ATTACK_PARAMS, minValidatorStake: 30_000 }), 3_000);
    assert.equal(maxVerifiedValue({ ...DEFAULT_ATTACK_PARAMS, slashPerVerifiedValue: 0 }), Number.POSITIVE_INFINITY);
  });

  it("lies under both validator attacks' break-even values, at every cost ratio", () => {
    const cap = maxVerifiedValue(DEFAULT_ATTACK_PARAMS);
    for (const c of [0.3, 0.6, 1]) {
      assert.ok(copyingBreakEvenValue(DEFAULT_ATTACK_PARAMS, c) > cap, `copying at c = ${c}`);
      assert.ok(lazyToleranceBreakEvenValue(DEFAULT_ATTACK_PARAMS, c) > cap, `lazy at c = ${c}`);
    }
  });

  it("is where the validator attacks are judged, since they gain with V", () => {
    const rows = attacks({}, 2_000);
    assert.equal(
      worstReachableValue((v) => copyingGain(v, 1, DEFAULT_ATTACK_PARAMS), DEFAULT_ATTACK_PARAMS),
      1_000,
    );
    assert.equal(row(rows, /copying 2nd validator/).unit, "per cheated lease of 1,000 XPL");
    assert.equal(row(rows, /copying 2nd validator/).profit, copyingGain(1_000, 1, DEFAULT_ATTACK_PARAMS));
    assert.equal(row(rows, /lazy validator, tolerance mode/).unit, "per assignment of 1,000 XPL");
    assert.equal(
      row(rows, /lazy validator, tolerance mode/).profit,
      lazyToleranceProfit(1_000, 1, DEFAULT_ATTACK_PARAMS),
    );
    assert.match(row(rows, /copying 2nd validator/).reason, /above the 1,000 XPL verified-lease cap/);
  });
});

describe("draw grinding", () => {
  it("loses money for every validator share up to 50 % and every lease value", () => {
    for (let s = 0; s <= 0.5 + 1e-9; s += 0.01) {
      for (const v of [0.01, 1, 50, 1_000, 100_000]) {
        assert.ok(grindingProfit(v, DEFAULT_ATTACK_PARAMS, s) < 0, `s = ${s}, V = ${v}`);
      }
      assert.ok(expectGrinding(LEASES, DEFAULT_ATTACK_PARAMS, s) < 0, `s = ${s}`);
    }
  });

  it("reports the share where it would pay if nobody else drew", () => {
    const params = { ...DEFAULT_ATTACK_PARAMS, honestDrawRate: 0 };
    const s = grindingBreakEvenShare(LEASES, params);
    assert.ok(s > 0.25 && s < 0.5, `${s}`);
    assert.ok(Math.abs(expectGrinding(LEASES, params, s)) < 1e-3);
  });
});

describe("the other attacks' closed forms", () => {
  it("just-in-time delegation earns the arriving share only under the old rule", () => {
    const epoch = { present: 100_000, reward: 1_000, arriving: 900_000 };
    assert.equal(jitProfit(epoch, DEFAULT_ATTACK_PARAMS), -2 * DEFAULT_ATTACK_PARAMS.txCost);
    assert.ok(Math.abs(jitProfit(epoch, { ...DEFAULT_ATTACK_PARAMS, arrivalEpochs: 0 }) - (900 - 0.02)) < 1e-9);
  });

  it("caps a no-show penalty three ways and a provider's loss per unbonding period", () => {
    const p = DEFAULT_ATTACK_PARAMS;
    assert.equal(noShowPenalty(100, 1e9, p), 10); // 10 % of V
    assert.equal(noShowPenalty(1e6, 1e9, p), 1_000); // the absolute cap
    assert.equal(noShowPenalty(1e6, 500, p), 500); // what the period's allowance has left
    const farm = farmNoShows(10_000, 100_000, p);
    assert.ok(Math.abs(farm.providerLoss - 5_000) < 1e-6, `5 % of 100,000: ${farm.providerLoss}`);
    assert.ok(farm.farmerProfit <= 0.2 * farm.providerLoss);
    // The rule before: 5 % of what is left per no-show, so enough no-shows drain the backing.
    const perLease = farmNoShows(10_000, 100_000, { ...p, noShowCapPerPeriod: false });
    assert.ok(perLease.providerLoss > 0.9 * 100_000, `${perLease.providerLoss}`);
  });

  it("a lazy tolerance validator breaks even where it says", () => {
    const v = lazyToleranceBreakEvenValue(DEFAULT_ATTACK_PARAMS, 0.6);
    assert.ok(Math.abs(lazyToleranceProfit(v, 0.6, DEFAULT_ATTACK_PARAMS)) < 1e-9);
    // 20 % × 50 % × 10,000 of stake over 1 − 20 % of a pay of fee / (p · 1.2) = V / 1.2.
    assert.ok(Math.abs(lazyToleranceBreakEvenValue(DEFAULT_ATTACK_PARAMS, 1) - 1_200) < 1e-9);
  });

  it("a colluding first validator breaks even at the share it reports", () => {
    for (const c of [0.3, 0.6, 1]) {
      const s = colludingFirstBreakEvenShare(DEFAULT_ATTACK_PARAMS, c);
      assert.ok(
        Math.abs(colludingFirstGain(100, c, { ...DEFAULT_ATTACK_PARAMS, attackerShare: s })) < 1e-9,
        `c = ${c}`,
      );
    }
  });

  it("a provider no-showing its own client gains only while its own stake is under the client's share", () => {
    assert.ok(selfNoShowGain(1_000, 100_000, 0.1, DEFAULT_ATTACK_PARAMS) > 0);
    assert.ok(selfNoShowGain(1_000, 100_000, 0.2, DEFAULT_ATTACK_PARAMS) < 0);
  });
});
