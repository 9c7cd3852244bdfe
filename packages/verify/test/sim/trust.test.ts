import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { formatTable, interval, percent, plusMinus, signedXpl, xpl } from "../../sim/table.ts";
import { buildReport, DEFAULT_OPTIONS, main, parseArgs, UsageError } from "../../sim/trust.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "../../../..");
const script = join(root, "packages/verify/sim/trust.ts");

function run(args: string[]) {
  return spawnSync(process.execPath, [script, ...args], { cwd: root, encoding: "utf8", timeout: 60_000 });
}

function capture(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = main(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("sim:trust arguments", () => {
  it("parses --name value and --name=value", () => {
    assert.deepEqual(parseArgs([]), DEFAULT_OPTIONS);
    assert.deepEqual(parseArgs(["--seed", "42", "--runs=5000", "--miss-rate", "0.05"]), {
      ...DEFAULT_OPTIONS,
      seed: 42,
      runs: 5_000,
      missRate: 0.05,
    });
    assert.equal(parseArgs(["--seed=4294967295"]).seed, 4_294_967_295);
    assert.equal(parseArgs(["-h"]).help, true);
  });

  it("rejects bad values with a clear message", () => {
    const cases: [string[], RegExp][] = [
      [["--seed", "abc"], /--seed expects an integer from 0 to 4294967295, got "abc"/],
      [["--seed", "-1"], /--seed expects an integer/],
      [["--seed", "1.5"], /--seed expects an integer/],
      [["--seed", "4294967296"], /--seed expects an integer/],
      [["--seed"], /--seed needs a value/],
      [["--runs", "0"], /--runs expects an integer from 100 to 2000000, got "0"/],
      [["--runs", "1e9"], /--runs expects an integer/],
      [["--miss-rate", "1"], /--miss-rate expects a number with 0 <= R < 1, got "1"/],
      [["--miss-rate", ""], /--miss-rate expects a number/],
      [["--sed", "1"], /unknown argument "--sed"/],
      [["42"], /unknown argument "42"/],
    ];
    for (const [argv, message] of cases) {
      assert.throws(
        () => parseArgs(argv),
        (error: unknown) => error instanceof UsageError && message.test(error.message),
      );
    }
  });

  it("prints the message and the usage, exit code 2, no stack trace", () => {
    const { code, out, err } = capture(["--seed", "abc"]);
    assert.equal(code, 2);
    assert.equal(out, "");
    assert.match(err, /^sim:trust: --seed expects an integer/);
    assert.match(err, /usage: npm run sim:trust/);
    const child = run(["--seed", "abc"]);
    assert.equal(child.status, 2);
    assert.equal(child.stdout, "");
    assert.match(child.stderr, /^sim:trust: --seed expects an integer from 0 to 4294967295, got "abc"\n/);
    assert.doesNotMatch(child.stderr, /\n\s+at |Error:/);
  });

  it("prints the usage for --help", () => {
    const { code, out } = capture(["--help"]);
    assert.equal(code, 0);
    assert.match(out, /--seed N/);
  });
});

describe("sim:trust report", () => {
  it("passes the defaults, deterministically for a seed", () => {
    const first = run(["--runs", "2000", "--seed", "9"]);
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /^1\. Cheat on every lease vs honest/m);
    assert.match(first.stdout, /^Stake 100,000 XPL$/m);
    assert.match(first.stdout, /^2\. Strategies at the defaults/m);
    assert.match(first.stdout, /^cheat then exit/m);
    assert.match(first.stdout, /^lazy validator, honest providers/m);
    assert.match(first.stdout, /^3\. The attacks of issue 16 at the defaults/m);
    for (const attack of [
      /^copying 2nd validator \(coalition s = 10%\) .* cheating loses$/m,
      /^draw grinding \(client\+provider\+validator, s = 50%\) .* cheating loses$/m,
      /^just-in-time delegation .* cheating loses$/m,
      /^no-show farming \(provider online\) .* cheating loses$/m,
      /^no-show farming \(provider offline\) .* bounded$/m,
      /^lazy validator, tolerance mode .* cheating loses$/m,
    ])
      assert.match(first.stdout, attack);
    // The validator attacks would pay on larger leases; the verified-lease cap keeps those out of reach.
    assert.match(
      first.stdout,
      /copying 2nd validator .*: .*pays only for V > 3,179 XPL, above the 1,000 XPL\s+verified-lease cap/s,
    );
    assert.match(
      first.stdout,
      /lazy validator, tolerance mode: .*pays only for V >\s+1,200 XPL, above the 1,000 XPL verified-lease cap/s,
    );
    const last = first.stdout.trimEnd().split("\n").at(-1) ?? "";
    assert.match(
      last,
      /^Defaults \(p = 10%, collateral 10×, fee 10%\): PASS: every simulated cheating strategy loses money/,
    );
    assert.equal(run(["--runs", "2000", "--seed", "9"]).stdout, first.stdout);
    assert.notEqual(run(["--runs", "2000", "--seed", "10"]).stdout, first.stdout);
  });

  it("exits 1 when the defaults let cheating pay (tolerance mode missing 20 % of wrong results)", () => {
    const child = run(["--runs", "1000", "--miss-rate", "0.2"]);
    assert.equal(child.status, 1);
    const last = child.stdout.trimEnd().split("\n").at(-1) ?? "";
    assert.match(last, /^Defaults \(p = 10%, collateral 10×, fee 10%, e_miss 0\.2\): FAIL: .*CHEATING PAYS at c = 1/);
  });

  it("lays out one grid table per stake with a row per (p, collateral)", () => {
    const report = buildReport({ ...DEFAULT_OPTIONS, runs: 500 });
    assert.equal(report.grid.length, 48);
    assert.equal(report.verdict.ok, true);
    for (const stake of ["1,000", "10,000", "100,000"]) {
      const start = report.text.indexOf(`Stake ${stake} XPL`);
      assert.ok(start >= 0);
      const lines = report.text.slice(start).split("\n").slice(3); // below the title, headers and rule
      const rows = lines.slice(0, lines.indexOf(""));
      assert.equal(rows.length, 16, `stake ${stake}`);
    }
    assert.match(report.text, /10% {3}10×\s+1,000\s+129\.2\s+90\.5\s+51\.7\s+0\.0\s+-12\.9 .* cheating loses\s+10\.0%/);
  });
});

describe("table formatting", () => {
  it("aligns columns under their headers", () => {
    const text = formatTable(
      [{ header: "name", align: "left" }, { header: "value" }],
      [
        ["a", "1.0"],
        ["longer", "-12.5"],
      ],
    );
    assert.equal(text, ["name    value", "------  -----", "a         1.0", "longer  -12.5"].join("\n"));
  });

  it("formats amounts, signs, percentages and intervals", () => {
    assert.equal(xpl(12_345.678), "12,345.7");
    assert.equal(xpl(-0.04), "0.0");
    assert.equal(signedXpl(3), "+3.0");
    assert.equal(signedXpl(0.01), "0.0");
    assert.equal(signedXpl(-3), "-3.0");
    assert.equal(percent(0.1), "10.0%");
    assert.equal(interval({ mean: -1, lo: -2.5, hi: 0.5 }), "-1.0 [-2.5, 0.5]");
    assert.equal(plusMinus({ mean: -1, lo: -2.5, hi: 0.5 }), "-1.0 ±1.5");
  });
});
