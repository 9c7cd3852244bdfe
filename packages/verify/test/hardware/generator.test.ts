import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import {
  createChallenge,
  fmix32,
  GPU_CHALLENGE_SCRIPT,
  generateMatrix,
  generatorKeys,
  type HardwareChallenge,
  int8RowHash,
  MATRIX_TAGS,
  type MatrixName,
} from "@plasma/verify";
import { plainPython, seededRandom, torchPython } from "./helpers.ts";

// An independent implementation of the generator spec, in BigInt arithmetic, written from the spec text
// (generator.ts header), not from the code: if both agree, neither has a 32-bit overflow slip.
const M32 = 0xffffffffn;
function fmixBig(x: bigint): bigint {
  let h = x & M32;
  h ^= h >> 16n;
  h = (h * 0x85ebca6bn) & M32;
  h ^= h >> 13n;
  h = (h * 0xc2b2ae35n) & M32;
  h ^= h >> 16n;
  return h;
}
function keysBig(seed: string): bigint[] {
  const digest = createHash("sha256")
    .update(Buffer.concat([Buffer.from("plasma/proof-of-gpu/v1", "utf8"), Buffer.from(seed.slice(2), "hex")]))
    .digest();
  return Array.from({ length: 8 }, (_, i) => BigInt(digest.readUInt32BE(4 * i)));
}
function entryBig(keys: bigint[], name: MatrixName, row: number, col: number): number {
  const u = fmixBig(BigInt(row) ^ (keys[MATRIX_TAGS[name]] as bigint));
  const h = fmixBig((u + BigInt(col) * 0x9e3779b9n) & M32);
  return name === "S" || name === "D" ? (h < 2n ** 31n ? 1 : -1) : Number(h % 3n) - 1;
}

const offer = { gpuModel: "cpu", gpuCount: 1, vramGb: 8 };
const small = (label: string, extra = {}) =>
  createChallenge(offer, seededRandom(label), { n: 64, rows: 200, rounds: 3, rowsPerLeaf: 16, ...extra });

const shapes = (ch: HardwareChallenge): [MatrixName, number, number][] => [
  ["G", ch.n, ch.n],
  ["B", ch.n, ch.n],
  ["W", ch.n, ch.width],
  ["S", Math.ceil(ch.rows / ch.n), ch.n],
  ["D", ch.rounds, ch.n],
];

describe("matrix generator", () => {
  it("fmix32 agrees with a BigInt implementation, including on values past 2^31", () => {
    const inputs = [0, 1, 2, 0x7fffffff, 0x80000000, 0xffffffff, 0xdeadbeef, 123456789];
    for (let i = 0; i < 1000; i++) inputs.push((Math.imul(i + 1, 0x9e3779b9) ^ (i << 7)) >>> 0);
    for (const x of inputs) assert.equal(BigInt(fmix32(x)), fmixBig(BigInt(x)), `fmix32(${x})`);
    assert.equal(fmix32(0), 0, "the finaliser maps 0 to 0");
  });

  it("derives the keys as sha256(domain ‖ seed) in big-endian words", () => {
    const ch = small("keys");
    assert.deepEqual(Array.from(generatorKeys(ch.seed), BigInt), keysBig(ch.seed));
  });

  it("every entry of every matrix equals the spec computed independently (BigInt)", () => {
    const ch = small("entries", { rows: 130 });
    const keys = keysBig(ch.seed);
    for (const [name, rows, cols] of shapes(ch)) {
      const m = generateMatrix(ch.seed, name, 0, rows, cols);
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < cols; c++) {
          assert.equal(m[r * cols + c], entryBig(keys, name, r, c), `${name}[${r}][${c}]`);
        }
      }
    }
    // Rows far from 0 (a 2^27-row challenge reaches them) too.
    const far = generateMatrix(ch.seed, "S", 4_000_000_000, 2, 16);
    for (let c = 0; c < 16; c++) assert.equal(far[16 + c], entryBig(keys, "S", 4_000_000_001, c));
  });

  it("is deterministic, depends on the seed, and a window of rows equals the same rows of the whole", () => {
    const a = small("det-a");
    const b = small("det-b");
    assert.deepEqual(generateMatrix(a.seed, "B", 0, 64, 64), generateMatrix(a.seed, "B", 0, 64, 64));
    assert.notDeepEqual(generateMatrix(a.seed, "B", 0, 64, 64), generateMatrix(b.seed, "B", 0, 64, 64));
    assert.notDeepEqual(generateMatrix(a.seed, "B", 0, 64, 64), generateMatrix(a.seed, "G", 0, 64, 64));
    assert.deepEqual(generateMatrix(a.seed, "B", 10, 5, 64), generateMatrix(a.seed, "B", 0, 64, 64).slice(640, 960));
  });

  it("ternary entries are balanced over −1/0/1 and sign entries over ±1", () => {
    const ch = small("balance", { n: 256 });
    const B = generateMatrix(ch.seed, "B", 0, 256, 256);
    const counts = new Map<number, number>();
    for (const v of B) counts.set(v, (counts.get(v) ?? 0) + 1);
    assert.deepEqual([...counts.keys()].sort(), [-1, 0, 1]);
    for (const count of counts.values()) assert.ok(Math.abs(count / B.length - 1 / 3) < 0.01, `${count}`);
    const D = generateMatrix(ch.seed, "D", 0, 64, 1024);
    const plus = D.filter((v) => v === 1).length;
    assert.equal(plus + D.filter((v) => v === -1).length, D.length);
    assert.ok(Math.abs(plus / D.length - 0.5) < 0.01);
  });

  it("refuses a bad seed or negative sizes", () => {
    assert.throws(() => generatorKeys("0x1234"), /32 bytes of hex/);
    assert.throws(() => generateMatrix(small("x").seed, "B", -1, 1, 1), /rowStart/);
  });

  it("gpu_challenge.py --generate-only (plain Python ints) builds the same matrices", (t) => {
    const python = plainPython();
    if (!python) return t.skip("python3 not found");
    const ch = small("python-gen", { rows: 333, rounds: 5 });
    const r = spawnSync(python, [GPU_CHALLENGE_SCRIPT, "--generate-only"], {
      input: JSON.stringify(ch),
      encoding: "utf8",
    });
    assert.equal(r.status, 0, r.stderr);
    const printed = JSON.parse(r.stdout) as Record<string, string[]> & { keys: number[] };
    assert.deepEqual(printed.keys, Array.from(generatorKeys(ch.seed)));
    for (const [name, rows, cols] of shapes(ch)) {
      const m = generateMatrix(ch.seed, name, 0, rows, cols);
      assert.equal(printed[name]?.length, rows, name);
      for (let row = 0; row < rows; row++)
        assert.equal(printed[name]?.[row], int8RowHash(m, row, cols), `${name} row ${row}`);
    }
  });

  it("the torch generator (int64 tensors, the GPU path) builds the same matrices", (t) => {
    const python = torchPython();
    if (!python) return t.skip("no Python with torch found (set PLASMA_TORCH_PYTHON)");
    const ch = small("torch-gen", { n: 128, rows: 1000, rounds: 4 });
    const args = [GPU_CHALLENGE_SCRIPT, "--generate-only", "--engine", "torch", "--device", "cpu"];
    const r = spawnSync(python, args, { input: JSON.stringify(ch), encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    const printed = JSON.parse(r.stdout) as Record<string, string[]>;
    for (const [name, rows, cols] of shapes(ch)) {
      const m = generateMatrix(ch.seed, name, 0, rows, cols);
      for (let row = 0; row < rows; row++)
        assert.equal(printed[name]?.[row], int8RowHash(m, row, cols), `${name} row ${row}`);
    }
  });
});
