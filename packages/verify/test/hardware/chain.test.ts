import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import {
  chainContext,
  computeRowRange,
  computeRows,
  createChallenge,
  GPU_CHALLENGE_SCRIPT,
  generateMatrix,
  type HardwareChallenge,
} from "@plasma/verify";
import { plainPython, seededRandom } from "./helpers.ts";

const offer = { gpuModel: "cpu", gpuCount: 1, vramGb: 8 };

/** Naive dense matrix product over whole matrices (Float64, triple loop): an independent computation. */
function matmul(a: Float64Array, b: Float64Array, rows: number, inner: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      let sum = 0;
      for (let t = 0; t < inner; t++) sum += (a[i * inner + t] as number) * (b[t * cols + j] as number);
      out[i * cols + j] = sum;
    }
  }
  return out;
}

/** The whole chain as whole-matrix products: A = G[j mod n] ⊙ S[⌊j/n⌋]; X ← sign(X·B) ⊙ D[i]; Z = X·W. */
function chainByMatmul(ch: HardwareChallenge): Float64Array {
  const { n, rows: m, rounds, width } = ch;
  const G = generateMatrix(ch.seed, "G", 0, n, n);
  const S = generateMatrix(ch.seed, "S", 0, Math.ceil(m / n), n);
  const B = Float64Array.from(generateMatrix(ch.seed, "B", 0, n, n));
  const D = generateMatrix(ch.seed, "D", 0, rounds, n);
  const W = Float64Array.from(generateMatrix(ch.seed, "W", 0, n, width));
  let X = new Float64Array(m * n);
  for (let j = 0; j < m; j++) {
    for (let c = 0; c < n; c++) {
      X[j * n + c] = (G[(j % n) * n + c] as number) * (S[Math.floor(j / n) * n + c] as number);
    }
  }
  for (let i = 0; i < rounds; i++) {
    const Y = matmul(X, B, m, n, n);
    X = Y.map((v, idx) => Math.sign(v) * (D[i * n + (idx % n)] as number));
  }
  return matmul(X, W, m, n, width);
}

describe("the chained computation", () => {
  it("row by row equals whole-matrix naive products", () => {
    const ch = createChallenge(offer, seededRandom("naive"), { n: 48, rows: 110, rounds: 4, rowsPerLeaf: 8 });
    const expected = chainByMatmul(ch);
    const got = computeRowRange(chainContext(ch), 0, ch.rows);
    assert.deepEqual(Array.from(got), Array.from(expected));
    // computeRows picks any subset in any order.
    assert.deepEqual(Array.from(computeRows(chainContext(ch), [109, 3])), [
      ...Array.from(expected.subarray(109 * ch.width, 110 * ch.width)),
      ...Array.from(expected.subarray(3 * ch.width, 4 * ch.width)),
    ]);
  });

  it("outputs are integers within ±n and spread out (a row is not guessable)", () => {
    const ch = createChallenge(offer, seededRandom("spread"), { n: 256, rows: 300, rounds: 3 });
    const z = computeRowRange(chainContext(ch), 0, ch.rows);
    assert.ok(z.every((v) => Math.abs(v) <= ch.n));
    const distinct = new Set<string>();
    for (let j = 0; j < ch.rows; j++) distinct.add(Array.from(z.subarray(j * 4, j * 4 + 4)).join(","));
    assert.equal(distinct.size, ch.rows, "no two rows share their outputs");
    const spread = Math.sqrt(z.reduce((s, v) => s + v * v, 0) / z.length);
    assert.ok(spread > 5, `outputs have a standard deviation of ${spread}`);
  });

  it("every round matters: one round fewer or a different mask changes every row", () => {
    const ch = createChallenge(offer, seededRandom("rounds"), { n: 64, rows: 64, rounds: 4 });
    const full = computeRowRange(chainContext(ch), 0, 64);
    const shorter = computeRowRange(chainContext({ ...ch, rounds: 3 }), 0, 64);
    let same = 0;
    for (let j = 0; j < 64; j++) if (full.subarray(j * 4, j * 4 + 4).every((v, o) => v === shorter[j * 4 + o])) same++;
    assert.equal(same, 0);
  });

  it("gpu_challenge.py --reference-rows (plain Python ints) computes the same rows", (t) => {
    const python = plainPython();
    if (!python) return t.skip("python3 not found");
    const ch = createChallenge(offer, seededRandom("py-ref"), { n: 64, rows: 500, rounds: 3 });
    const rows = [0, 1, 63, 64, 65, 255, 499];
    const r = spawnSync(python, [GPU_CHALLENGE_SCRIPT, "--reference-rows", rows.join(",")], {
      input: JSON.stringify(ch),
      encoding: "utf8",
    });
    assert.equal(r.status, 0, r.stderr);
    const printed = (JSON.parse(r.stdout) as { rows: Record<string, number[]> }).rows;
    const z = computeRows(chainContext(ch), rows);
    rows.forEach((j, i) => {
      assert.deepEqual(printed[String(j)], Array.from(z.subarray(i * ch.width, (i + 1) * ch.width)), `row ${j}`);
    });
  });
});

// The bound the GPU paths rely on, shown in fp16 arithmetic (Math.f16round, Node 24): with −1/0/1
// entries every partial sum of a block of ≤ 2048 terms is an integer of magnitude ≤ 2048, which fp16
// holds exactly, so the block's sum is exact in any order; and rounding the sum of two exact blocks
// once keeps its sign. Past 2048 terms an fp16 accumulator does lose counts.
describe("exactness of reduced-precision products", () => {
  const f16 = (Math as unknown as { f16round?: (x: number) => number }).f16round;

  it("fp16: a sum of 2048 ternary products is exact in any order; 4096 ones are not", (t) => {
    if (!f16) return t.skip("Math.f16round needs Node 24");
    const accumulate = (terms: number[]) => terms.reduce((acc, v) => f16(acc + v), 0);
    assert.equal(accumulate(new Array(2048).fill(1)), 2048);
    assert.equal(accumulate(new Array(4096).fill(1)), 2048, "fp16 accumulation stalls at 2048 + 1");
    const rand = seededRandom("f16");
    for (let trial = 0; trial < 200; trial++) {
      const bytes = rand(4096);
      const terms = Array.from(bytes, (b) => (b % 3) - 1);
      // a skewed case: mostly +1, as late rounds can be
      if (trial % 10 === 0) terms.fill(1, 0, 3000);
      const exact = terms.reduce((a, v) => a + v, 0);
      const block1 = accumulate(terms.slice(0, 2048));
      const block2 = accumulate(terms.slice(2048).reverse());
      assert.equal(block1 + block2, exact, "each block is exact");
      assert.equal(Math.sign(f16(block1 + block2)), Math.sign(exact), "one rounding keeps the sign");
    }
  });
});
