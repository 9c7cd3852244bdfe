// Issuing a challenge: sizing the work from the claimed class, and the deadline.
import { createHash, randomBytes } from "node:crypto";
import { findHardwareClass, HARDWARE_CLASSES, type HardwareClass } from "./classes.ts";
import { ChallengeError, UnknownGpuClassError } from "./errors.ts";
import { seedBytes } from "./generator.ts";
import { type Hex, toHex } from "./merkle.ts";

/** Rows the validator opens. A provider that computed a fraction f of the rows passes with
 * probability at most f^20 (rows are drawn without replacement): 0.5^20 ≈ 9.5e-7 < 1e-6. */
export const DEFAULT_OPEN_ROWS = 20;
/** Output integers per row (the final projection x_k · W). */
export const DEFAULT_WIDTH = 4;
export const DEFAULT_ROWS_PER_LEAF = 1024;
export const MIN_ROUNDS = 8;

export const LIMITS = {
  /** n is a multiple of 8 (int8 GEMM kernels want it) up to 16384, so |output| ≤ n fits int16. */
  maxN: 16384,
  maxRounds: 1024,
  /** 2^27 rows × 4 outputs × 2 bytes = 1 GiB of outputs for the provider to hash and keep. */
  maxRows: 2 ** 27,
  maxWidth: 64,
  maxRowsPerLeaf: 65536,
  maxOpenRows: 256,
  maxGpuCount: 64,
  /** What the validator's recomputation may cost: openRows × rounds × n² ≤ 2^36 additions (~70 s on one
   * core of the reference TypeScript loop; checkResponseAsync spreads it over worker threads). */
  maxCheckAdds: 2 ** 36,
  /** A challenge expected to take longer than this at the claimed rate is refused. */
  maxExpectedMs: 10 * 60_000,
} as const;

export type ChallengeDtype = "fp16" | "fp32";

/** Everything a provider needs to run the challenge; plain JSON, the same object goes to gpu_challenge.py. */
export type HardwareChallenge = {
  version: 1;
  /** sha256 over every other field (see challengeId): binds the record on chain to these exact parameters. */
  id: Hex;
  /** 32 random bytes; the matrices are derived from it (generator.ts). */
  seed: Hex;
  /** The class the deadline was computed for, e.g. "H100". */
  gpuClass: string;
  /** The model string as the offer claims it. */
  gpuModel: string;
  gpuCount: number;
  vramGb: number;
  /** Matrix dimension: rows of the chain are n wide and every round multiplies by an n×n matrix. */
  n: number;
  /** Number of chain rows m (independent of each other; a multi-GPU provider splits them). */
  rows: number;
  /** Chained rounds k. */
  rounds: number;
  /** Output integers per row (w). */
  width: number;
  rowsPerLeaf: number;
  /** Rows the validator will open (r). */
  openRows: number;
  /** The arithmetic the class rate refers to: fp16 tensor cores for GPUs, fp32 for cpu. Results are exact
   * integers whatever the provider computes them with (see chain.ts). */
  dtype: ChallengeDtype;
  /** Assumed sustained TFLOPS per GPU (the class's sustainedTflops). */
  assumedTflops: number;
  /** Work ÷ (assumedTflops × gpuCount), in ms. */
  expectedMs: number;
  /** Longest the validator waits, from sending the challenge to receiving the commitment. */
  deadlineMs: number;
};

/** The offer being challenged. */
export type ChallengeOffer = { gpuModel: string; gpuCount: number; vramGb: number };

export type ChallengeOptions = {
  /** Matrix dimension (default 4096 for GPUs, 256 for cpu). */
  n?: number;
  /** Rounds (default: MIN_ROUNDS, more when the rows would exceed LIMITS.maxRows). */
  rounds?: number;
  /** Number of rows; default: sized so that the run takes targetSeconds at the class rate. */
  rows?: number;
  /** Compute time the challenge is sized for at the assumed rate (default 20 s GPU, 10 s cpu). */
  targetSeconds?: number;
  /** Deadline = allowanceMs + slack × expectedMs (default slack 1.5 GPU, 3 cpu). */
  slack?: number;
  /** Process start, CUDA initialisation, generation, hashing and the network (default 10 s + 1 s per GPU,
   * 5 s for cpu). */
  allowanceMs?: number;
  openRows?: number;
  rowsPerLeaf?: number;
  width?: number;
};

/** The class an offer's model string resolves to; UnknownGpuClassError if none (no silent fallback: an
 * unknown "X9000" challenged as cpu would pass with any laptop). */
export function resolveHardwareClass(gpuModel: string): HardwareClass {
  const cls = findHardwareClass(gpuModel);
  if (!cls)
    throw new UnknownGpuClassError(
      gpuModel,
      HARDWARE_CLASSES.map((c) => c.id),
    );
  return cls;
}

/** Multiply-adds of one row: k rounds of an n-vector times an n×n matrix, then times the n×w projection. */
export function rowWorkFlops(n: number, rounds: number, width: number): number {
  return 2 * n * n * rounds + 2 * n * width;
}

/** Total work of a challenge in fp16-equivalent floating-point operations (2 per multiply-add). */
export function challengeWorkFlops(ch: Pick<HardwareChallenge, "n" | "rows" | "rounds" | "width">): number {
  return ch.rows * rowWorkFlops(ch.n, ch.rounds, ch.width);
}

const FIELDS = [
  "version",
  "seed",
  "gpuClass",
  "gpuModel",
  "gpuCount",
  "vramGb",
  "n",
  "rows",
  "rounds",
  "width",
  "rowsPerLeaf",
  "openRows",
  "dtype",
  "assumedTflops",
  "expectedMs",
  "deadlineMs",
] as const;

/** sha256 of the challenge's fields in a fixed order, as "name=value" lines. */
export function challengeId(ch: Omit<HardwareChallenge, "id">): Hex {
  const hash = createHash("sha256").update("plasma/proof-of-gpu/v1/challenge\n");
  for (const field of FIELDS) hash.update(`${field}=${JSON.stringify(ch[field])}\n`);
  return toHex(hash.digest());
}

function intIn(what: string, value: unknown, min: number, max: number, multipleOf = 1): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min || value > max || value % multipleOf) {
    const kind = multipleOf > 1 ? `an integer multiple of ${multipleOf}` : "an integer";
    throw new ChallengeError(`${what} must be ${kind} in [${min}, ${max}], got ${JSON.stringify(value)}`);
  }
  return value;
}

function positive(what: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new ChallengeError(`${what} must be a positive number, got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * Checks a challenge's shape, bounds and id; returns it typed. A provider calls this on what it receives
 * (a malicious validator could otherwise ask for a terabyte of work), a validator on what it stored.
 */
export function validateChallenge(value: unknown): HardwareChallenge {
  if (typeof value !== "object" || value === null) throw new ChallengeError("a challenge must be an object");
  const ch = value as Record<string, unknown>;
  if (ch.version !== 1) throw new ChallengeError(`unsupported challenge version ${JSON.stringify(ch.version)}`);
  seedBytes(String(ch.seed));
  if (typeof ch.gpuModel !== "string") throw new ChallengeError("gpuModel must be a string");
  const cls = findHardwareClass(String(ch.gpuClass));
  if (!cls || cls.id !== ch.gpuClass) throw new ChallengeError(`unknown class ${JSON.stringify(ch.gpuClass)}`);
  intIn("gpuCount", ch.gpuCount, 1, LIMITS.maxGpuCount);
  positive("vramGb", ch.vramGb);
  const n = intIn("n", ch.n, 8, LIMITS.maxN, 8);
  const rows = intIn("rows", ch.rows, 1, LIMITS.maxRows);
  const rounds = intIn("rounds", ch.rounds, 1, LIMITS.maxRounds);
  intIn("width", ch.width, 1, LIMITS.maxWidth);
  intIn("rowsPerLeaf", ch.rowsPerLeaf, 1, LIMITS.maxRowsPerLeaf);
  const openRows = intIn("openRows", ch.openRows, 1, LIMITS.maxOpenRows);
  if (ch.dtype !== "fp16" && ch.dtype !== "fp32") throw new ChallengeError(`unknown dtype ${JSON.stringify(ch.dtype)}`);
  positive("assumedTflops", ch.assumedTflops);
  const expectedMs = positive("expectedMs", ch.expectedMs);
  positive("deadlineMs", ch.deadlineMs);
  if (expectedMs > LIMITS.maxExpectedMs) {
    throw new ChallengeError(`the challenge is expected to take ${expectedMs} ms, more than ${LIMITS.maxExpectedMs}`);
  }
  const checkAdds = Math.min(openRows, rows) * rounds * n * n;
  if (checkAdds > LIMITS.maxCheckAdds) {
    throw new ChallengeError(
      `checking ${openRows} rows of ${rounds} rounds at n=${n} costs ${checkAdds.toExponential(2)} additions, ` +
        `more than ${LIMITS.maxCheckAdds.toExponential(2)}: use fewer rounds or a smaller n`,
    );
  }
  const typed = ch as unknown as HardwareChallenge;
  if (typed.id !== challengeId(typed)) throw new ChallengeError("challenge id does not match its fields");
  return typed;
}

/**
 * Issues a challenge for an offer: a fresh seed, the work sized so that the claimed hardware needs about
 * targetSeconds, and the deadline allowanceMs + slack × expected. `random` (default crypto.randomBytes)
 * supplies the seed. Throws UnknownGpuClassError for a model not in the table, ChallengeError for bad
 * numbers (n = 0, n = 10^6, 0 GPUs, a 200 GB "A100", …).
 */
export function createChallenge(
  offer: ChallengeOffer,
  random: (size: number) => Uint8Array = randomBytes,
  options: ChallengeOptions = {},
): HardwareChallenge {
  if (typeof offer?.gpuModel !== "string") throw new ChallengeError("gpuModel must be a string");
  const cls = resolveHardwareClass(offer.gpuModel);
  const gpuCount = intIn("gpuCount", offer.gpuCount, 1, LIMITS.maxGpuCount);
  const vramGb = positive("vramGb", offer.vramGb);
  if (vramGb > cls.maxVramGb) {
    throw new ChallengeError(`an ${cls.id} has at most ${cls.maxVramGb} GB, the offer claims ${vramGb} GB`);
  }
  const isCpu = cls.kind === "cpu";
  const n = intIn("n", options.n ?? (isCpu ? 256 : 4096), 8, LIMITS.maxN, 8);
  const width = intIn("width", options.width ?? DEFAULT_WIDTH, 1, LIMITS.maxWidth);
  const openRows = intIn("openRows", options.openRows ?? DEFAULT_OPEN_ROWS, 1, LIMITS.maxOpenRows);
  const rowsPerLeaf = intIn("rowsPerLeaf", options.rowsPerLeaf ?? DEFAULT_ROWS_PER_LEAF, 1, LIMITS.maxRowsPerLeaf);
  const targetSeconds = positive("targetSeconds", options.targetSeconds ?? (isCpu ? 10 : 20));
  if (targetSeconds * 1000 > LIMITS.maxExpectedMs) {
    throw new ChallengeError(`targetSeconds must be at most ${LIMITS.maxExpectedMs / 1000}, got ${targetSeconds}`);
  }
  const slack = positive("slack", options.slack ?? (isCpu ? 3 : 1.5));
  const allowanceMs = options.allowanceMs ?? (isCpu ? 5_000 : 10_000 + 1_000 * gpuCount);
  if (!Number.isFinite(allowanceMs) || allowanceMs < 0) throw new ChallengeError("allowanceMs must be ≥ 0");
  const flopsPerSecond = cls.sustainedTflops * 1e12 * gpuCount;
  const targetFlops = targetSeconds * flopsPerSecond;
  let rounds: number;
  let rows: number;
  if (options.rows !== undefined) {
    rows = intIn("rows", options.rows, 1, LIMITS.maxRows);
    rounds = intIn("rounds", options.rounds ?? MIN_ROUNDS, 1, LIMITS.maxRounds);
  } else {
    const rowRounds = targetFlops / (2 * n * n);
    rounds = intIn(
      "rounds",
      options.rounds ?? Math.max(MIN_ROUNDS, Math.ceil(rowRounds / LIMITS.maxRows)),
      1,
      LIMITS.maxRounds,
    );
    rows = intIn(
      "rows",
      Math.max(openRows, Math.ceil(targetFlops / rowWorkFlops(n, rounds, width))),
      1,
      LIMITS.maxRows,
    );
  }
  const expectedMs = Math.ceil((challengeWorkFlops({ n, rows, rounds, width }) / flopsPerSecond) * 1000);
  const fields: Omit<HardwareChallenge, "id"> = {
    version: 1,
    seed: toHex(random(32)),
    gpuClass: cls.id,
    gpuModel: offer.gpuModel,
    gpuCount,
    vramGb,
    n,
    rows,
    rounds,
    width,
    rowsPerLeaf,
    openRows,
    dtype: isCpu ? "fp32" : "fp16",
    assumedTflops: cls.sustainedTflops,
    expectedMs,
    deadlineMs: Math.ceil(allowanceMs + slack * expectedMs),
  };
  return validateChallenge({ ...fields, id: challengeId(fields) });
}
