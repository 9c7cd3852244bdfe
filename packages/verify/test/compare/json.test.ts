import assert from "node:assert/strict";
import { open } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { compareJson, MAX_JSON_BYTES, readJson } from "../../src/compare/index.ts";
import { compareFiles, outputs, tolerance } from "./fixtures.ts";

const spec = tolerance(1e-3, 0);
const tol = { atol: 1e-3, rtol: 0 };
const json = (value: unknown) => JSON.stringify(value);

describe(".json with tolerance", () => {
  it("compares nested numbers with tolerance, ignoring formatting and key order", async () => {
    const expected = { loss: [0.5, 0.25, { deep: [1, 2] }], meta: { epochs: 3, name: "run", ok: true, none: null } };
    const actual = {
      meta: { none: null, ok: true, name: "run", epochs: 3 },
      loss: [0.5004, 0.25, { deep: [1, 2.0009] }],
    };
    const verdict = await compareFiles(
      spec,
      { "m.json": json(expected) },
      { "m.json": JSON.stringify(actual, null, 2) },
    );
    assert.equal(verdict.match, true, verdict.summary);
    assert.equal(verdict.files[0]?.status, "within-tolerance");
    assert.equal(verdict.files[0]?.numeric?.compared, 5);
    assert.ok(Math.abs((verdict.files[0]?.numeric?.maxAbsDiff ?? 0) - 0.0009) < 1e-12);
  });

  it("counts the numbers beyond tolerance and locates the first by path", async () => {
    const outcome = compareJson({ a: { "b c": [1, 2, 3] }, z: 1 }, { a: { "b c": [1, 2.5, 4] }, z: 1 }, tol);
    assert.equal(outcome.status, "different");
    assert.deepEqual(outcome.numeric, { compared: 4, outOfTolerance: 2, maxAbsDiff: 1, maxRelDiff: 1 / 3 });
    assert.equal(
      outcome.reason,
      'differs at 2 of 4 numbers (max |Δ| 1; first at $.a["b c"][1]: 2.5 vs expected 2: |Δ| 0.5 > atol+rtol·|b| = 0.001)',
    );
  });

  it("compares everything but numbers exactly", () => {
    const cases: [unknown, unknown, string][] = [
      [{ a: 1 }, { a: 1, b: 2 }, 'differs at $: key "b" was not expected'],
      [{ a: 1, b: 2 }, { a: 1 }, 'differs at $: key "b" is missing'],
      [{ a: "x" }, { a: "y" }, 'differs at $.a: "y" where "x" was expected'],
      [{ a: true }, { a: false }, "differs at $.a: false where true was expected"],
      [{ a: null }, { a: 0 }, "differs at $.a: number where null was expected"],
      [[1, 2], [1, 2, 3], "differs at $: array length 3 where 2 was expected"],
      [[{ a: 1 }], [[1]], "differs at $[0]: array where object was expected"],
      ["1", 1, "differs at $: number where string was expected"],
    ];
    for (const [expected, actual, reason] of cases) assert.equal(compareJson(expected, actual, tol).reason, reason);
  });

  it("handles nesting deeper than the call stack", () => {
    const depth = 100_000;
    const nested = (leaf: number) => JSON.parse(`${"[".repeat(depth)}${leaf}${"]".repeat(depth)}`);
    assert.equal(compareJson(nested(1), nested(1.0001), tol).status, "within-tolerance");
    assert.equal(compareJson(nested(1), nested(2), tol).status, "different");
  });

  it("keeps __proto__ as an ordinary key", () => {
    const parse = (text: string) => JSON.parse(text);
    assert.equal(
      compareJson(parse('{"__proto__": {"a": 1}}'), parse('{"__proto__": {"a": 2}}'), tol).status,
      "different",
    );
    assert.equal(
      compareJson(parse('{"__proto__": 1}'), parse("{}"), tol).reason,
      'differs at $: key "__proto__" is missing',
    );
  });

  it("reports invalid JSON as malformed, naming the side", async () => {
    const verdict = await compareFiles(spec, { "m.json": '{"a": 1}' }, { "m.json": '{"a": 1' });
    assert.equal(verdict.files[0]?.status, "malformed");
    assert.match(
      verdict.summary,
      /^mismatch: m\.json is malformed in the actual outputs: it is not valid UTF-8 JSON \(/,
    );
    const latin1 = await compareFiles(spec, { "m.json": Buffer.from([0x22, 0xe9, 0x22]) }, { "m.json": '"é"' });
    assert.match(latin1.summary, /^mismatch: m\.json is malformed in the expected outputs: it is not valid UTF-8 JSON/);
  });

  it("refuses JSON files over the size limit rather than parse them", async () => {
    const { dir } = await outputs({});
    const file = await open(join(dir, "big.json"), "w+");
    try {
      await file.truncate(MAX_JSON_BYTES + 1); // sparse: no 64 MiB written
      await assert.rejects(readJson(file), {
        name: "MalformedError",
        message: "it is 67108865 bytes, over the 67108864-byte JSON limit",
      });
    } finally {
      await file.close();
    }
  });
});

describe("other formats with tolerance", () => {
  it("must be byte-identical", async () => {
    const verdict = await compareFiles(
      spec,
      { "log.txt": "loss 0.5", "same.bin": "x" },
      { "log.txt": "loss 0.5001", "same.bin": "x" },
    );
    assert.equal(verdict.match, false);
    assert.deepEqual(
      verdict.files.map((f) => f.status),
      ["different", "equal"],
    );
    assert.match(
      verdict.files[0]?.reason ?? "",
      /only \.npy, \.safetensors and \.json files are compared with tolerance$/,
    );
  });
});
