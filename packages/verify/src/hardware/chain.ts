// The chained computation, one row at a time, in exact integer arithmetic (the CPU reference).
//
// For row j (0 ≤ j < m), with p = j mod n and q = ⌊j / n⌋:
//   x_0     = G[p] ⊙ S[q]                        ∈ {−1,0,1}^n
//   y_i     = x_i · B                            ∈ [−n, n]^n          (i = 0 … k−1)
//   x_{i+1} = sign(y_i) ⊙ D[i]                   ∈ {−1,0,1}^n
//   z_j     = x_k · W                            ∈ [−n, n]^w          (the row's output)
//
// Why this shape:
// - Rows never mix, so the validator checks one row from the seed alone in k·n² additions, and a
//   provider with several GPUs splits the rows between them.
// - sign() is what makes the chain sequential. A normalisation such as "mod 3" would be a ring
//   homomorphism: x_k ≡ x_0·B^k (mod 3) could then be had from B^k by repeated squaring in log k
//   products. sign() has no such algebra, and the mask D[i] differs per round, so the rows are not an
//   autonomous map whose cycles a cheater could detect and skip.
// - Exactness on any hardware: entries are −1/0/1, so every partial sum of a product is an integer of
//   magnitude ≤ the number of terms. fp16 holds every integer up to 2048 exactly, bf16 up to 256, fp32
//   up to 2^24, int8×int8→int32 everything here. A GPU product over K-blocks of ≤ 2048 terms (fp16) or
//   ≤ 256 (bf16) is therefore exact whatever order or precision the hardware accumulates in, and the
//   sign of a sum of blocks is exact even after one rounding. No tolerance is needed anywhere.
import type { HardwareChallenge } from "./challenge.ts";
import { fillRow, generateMatrix, generatorKeys } from "./generator.ts";

/** Matrices shared by every row of a challenge, generated once. */
export type ChainContext = {
  n: number;
  rounds: number;
  width: number;
  keys: Uint32Array;
  /** n×n, row-major. */
  B: Int8Array;
  /** rounds×n. */
  D: Int8Array;
  /** n×width. */
  W: Int8Array;
  x: Int8Array;
  s: Int8Array;
  y: Int32Array;
  z: Int32Array;
};

export function chainContext(ch: Pick<HardwareChallenge, "seed" | "n" | "rounds" | "width">): ChainContext {
  const keys = generatorKeys(ch.seed);
  return {
    n: ch.n,
    rounds: ch.rounds,
    width: ch.width,
    keys,
    B: generateMatrix(keys, "B", 0, ch.n, ch.n),
    D: generateMatrix(keys, "D", 0, ch.rounds, ch.n),
    W: generateMatrix(keys, "W", 0, ch.n, ch.width),
    x: new Int8Array(ch.n),
    s: new Int8Array(ch.n),
    y: new Int32Array(ch.n),
    z: new Int32Array(ch.width),
  };
}

/** Computes row j's outputs z_j into `out[offset .. offset+width)`. */
export function computeRow(ctx: ChainContext, j: number, out: Int16Array | Int32Array, offset = 0): void {
  const { n, rounds, width, B, D, W, x, s, y, z } = ctx;
  fillRow(ctx.keys, "G", j % n, n, x);
  fillRow(ctx.keys, "S", Math.floor(j / n), n, s);
  for (let c = 0; c < n; c++) x[c] = (x[c] as number) * (s[c] as number);
  for (let i = 0; i < rounds; i++) {
    y.fill(0);
    for (let c = 0; c < n; c++) {
      const xc = x[c] as number;
      if (xc === 0) continue;
      const row = c * n;
      if (xc > 0) for (let t = 0; t < n; t++) y[t] = (y[t] as number) + (B[row + t] as number);
      else for (let t = 0; t < n; t++) y[t] = (y[t] as number) - (B[row + t] as number);
    }
    const mask = i * n;
    for (let t = 0; t < n; t++) {
      const v = y[t] as number;
      x[t] = (v > 0 ? 1 : v < 0 ? -1 : 0) * (D[mask + t] as number);
    }
  }
  z.fill(0);
  for (let c = 0; c < n; c++) {
    const xc = x[c] as number;
    if (xc === 0) continue;
    for (let o = 0; o < width; o++) z[o] = (z[o] as number) + xc * (W[c * width + o] as number);
  }
  for (let o = 0; o < width; o++) out[offset + o] = z[o] as number;
}

/** Outputs of rows `start .. end`, row-major (width values per row). */
export function computeRowRange(ctx: ChainContext, start: number, end: number): Int16Array {
  const out = new Int16Array((end - start) * ctx.width);
  for (let j = start; j < end; j++) computeRow(ctx, j, out, (j - start) * ctx.width);
  return out;
}

/** Outputs of the given rows, in the given order. */
export function computeRows(ctx: ChainContext, rows: readonly number[]): Int16Array {
  const out = new Int16Array(rows.length * ctx.width);
  rows.forEach((j, i) => {
    computeRow(ctx, j, out, i * ctx.width);
  });
  return out;
}
