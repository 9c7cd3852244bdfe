// The deterministic matrix generator of the proof-of-GPU challenge (spec v1).
//
// Every entry of every challenge matrix is a pure function of (seed, tag, row, col), so the provider's
// GPU, the validator's CPU and the Python runner build bit-identical matrices without shipping them.
// gpu_challenge.py implements the same function twice (torch int64 tensors and plain Python ints);
// the tests compare all three.
//
//   keys  K[0..7] = the eight big-endian uint32 words of sha256("plasma/proof-of-gpu/v1" ‖ seed)
//   u     = fmix32(row XOR K[tag])                       (one per row)
//   h     = fmix32((u + col · 0x9E3779B9) mod 2^32)      (one per entry)
//   ternary entry = (h mod 3) − 1  ∈ {−1, 0, 1}
//   sign entry    = 1 − 2 · (h >>> 31)  ∈ {−1, 1}
//
// fmix32 is MurmurHash3's 32-bit finaliser (a bijection with full avalanche). This is not a
// cryptographic PRF, and it needs not be one: the seed is secret until the challenge is issued and
// sha256 turns it into the keys, so nothing about the matrices can be computed in advance, and
// the only structure a cheater could exploit would have to survive a sign() after every round.
import { createHash } from "node:crypto";
import { ChallengeError } from "./errors.ts";

export const GENERATOR_DOMAIN = "plasma/proof-of-gpu/v1";
const GOLDEN = 0x9e3779b9;

/** Which matrix an entry belongs to: its tag selects the key word. */
export const MATRIX_TAGS = {
  /** n×n ternary: the starting rows (row j of the chain starts from G[j mod n] ⊙ S[⌊j/n⌋]). */
  G: 0,
  /** n×n ternary: the matrix every round multiplies by. */
  B: 1,
  /** n×w ternary: the final projection that makes each row's output w small integers. */
  W: 2,
  /** ⌈m/n⌉×n signs: makes the starting rows of different n-row blocks differ. */
  S: 3,
  /** k×n signs: the per-round column masks (no two rounds apply the same map). */
  D: 4,
} as const;
export type MatrixName = keyof typeof MATRIX_TAGS;
const SIGN_MATRICES: ReadonlySet<MatrixName> = new Set(["S", "D"]);

/** MurmurHash3's fmix32 on a uint32; returns a uint32. */
export function fmix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Decodes a 32-byte hex seed (with or without 0x); throws ChallengeError on anything else. */
export function seedBytes(seed: string): Buffer {
  const hex = seed.startsWith("0x") ? seed.slice(2) : seed;
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new ChallengeError(`seed must be 32 bytes of hex, got "${seed}"`);
  return Buffer.from(hex, "hex");
}

/** The eight key words derived from a challenge seed. */
export function generatorKeys(seed: string): Uint32Array {
  const digest = createHash("sha256").update(GENERATOR_DOMAIN).update(seedBytes(seed)).digest();
  const keys = new Uint32Array(8);
  for (let i = 0; i < 8; i++) keys[i] = digest.readUInt32BE(4 * i);
  return keys;
}

/** The per-row word u = fmix32(row XOR K[tag]). */
export function rowWord(keys: Uint32Array, tag: number, row: number): number {
  return fmix32((row ^ (keys[tag] ?? 0)) >>> 0);
}

/** The raw uint32 hash of one entry. */
export function entryHash(keys: Uint32Array, tag: number, row: number, col: number): number {
  return fmix32((rowWord(keys, tag, row) + Math.imul(col, GOLDEN)) >>> 0);
}

/** Fills `out[offset .. offset+cols)` with row `row` of matrix `name` (ternary or sign entries). */
export function fillRow(
  keys: Uint32Array,
  name: MatrixName,
  row: number,
  cols: number,
  out: Int8Array,
  offset = 0,
): void {
  const u = rowWord(keys, MATRIX_TAGS[name], row);
  const sign = SIGN_MATRICES.has(name);
  for (let c = 0; c < cols; c++) {
    const h = fmix32((u + Math.imul(c, GOLDEN)) >>> 0);
    out[offset + c] = sign ? 1 - 2 * (h >>> 31) : (h % 3) - 1;
  }
}

/**
 * Rows `rowStart .. rowStart+rowCount` of matrix `name`, `cols` wide, row-major as int8.
 * Ternary matrices (G, B, W) hold −1/0/1, sign matrices (S, D) hold −1/1.
 */
export function generateMatrix(
  seed: string | Uint32Array,
  name: MatrixName,
  rowStart: number,
  rowCount: number,
  cols: number,
): Int8Array {
  if (!(name in MATRIX_TAGS)) throw new ChallengeError(`unknown matrix "${name}"`);
  for (const [what, value] of [
    ["rowStart", rowStart],
    ["rowCount", rowCount],
    ["cols", cols],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 0) throw new ChallengeError(`${what} must be an integer ≥ 0`);
  }
  if (rowStart + rowCount > 2 ** 32) throw new ChallengeError("row indices must fit in 32 bits");
  const keys = typeof seed === "string" ? generatorKeys(seed) : seed;
  const out = new Int8Array(rowCount * cols);
  for (let r = 0; r < rowCount; r++) fillRow(keys, name, rowStart + r, cols, out, r * cols);
  return out;
}

/** sha256 (hex) of one int8 row as raw bytes: what `gpu_challenge.py --generate-only` prints. */
export function int8RowHash(values: Int8Array, row: number, cols: number): string {
  const bytes = new Uint8Array(values.buffer, values.byteOffset + row * cols, cols);
  return createHash("sha256").update(bytes).digest("hex");
}
