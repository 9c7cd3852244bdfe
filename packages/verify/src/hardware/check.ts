// The validator's side: checking a provider's opened rows, its commitment and its time.
import { availableParallelism } from "node:os";
import { chainContext, computeRows } from "./chain.ts";
import { challengeWorkFlops, type HardwareChallenge } from "./challenge.ts";
import { hex32, leafHash, rootFromProof } from "./merkle.ts";
import { leafCount, leafRows, type OpenedRow, selectRows } from "./protocol.ts";
import { runInWorker, splitRange } from "./workers.ts";

export type HardwareVerdictCode =
  | "ok"
  | "too-slow"
  | "malformed"
  | "wrong-rows"
  | "commitment-mismatch"
  | "row-mismatch";

export type HardwareVerdict = {
  passed: boolean;
  code: HardwareVerdictCode;
  /** One line for a person: "too slow: 41.2 s > 12.0 s allowed for 8× H100", "row 17 does not match". */
  reason: string;
  challengeId: string;
  gpuClass: string;
  gpuCount: number;
  /** As the validator measured it: from sending the challenge to receiving the commitment. */
  elapsedMs: number;
  deadlineMs: number;
  workFlops: number;
  /** workFlops ÷ elapsed: a lower bound on the provider's throughput (the round trip counts against it). */
  measuredTflops: number;
  /** What the class table assumes for the whole offer (per-GPU rate × gpuCount). */
  assumedTflops: number;
  /** Rows recomputed and found equal (0 unless the check got that far). */
  rowsChecked: number;
  /** The row that failed, where one did. */
  row?: number;
};

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const tflops = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 1 ? x.toFixed(1) : x.toPrecision(2));
const offerLabel = (ch: HardwareChallenge) => (ch.gpuCount > 1 ? `${ch.gpuCount}× ${ch.gpuClass}` : ch.gpuClass);
const listRows = (rows: readonly unknown[]) =>
  rows.length > 8 ? `${rows.slice(0, 8).map(String).join(", ")}, … (${rows.length})` : rows.map(String).join(", ");

/** A row the structural checks accepted, with the outputs the provider claims for it. */
type Claim = { row: number; z: number[] };

type Prepared = { verdict: HardwareVerdict } | { claims: Claim[]; base: HardwareVerdict };

/** Everything short of recomputing rows: time, the set of rows, their shape, and their Merkle paths. */
function prepare(ch: HardwareChallenge, root: string, nonce: string, rows: unknown, elapsedMs: number): Prepared {
  if (!Number.isFinite(elapsedMs) || elapsedMs < 0) throw new RangeError(`elapsedMs must be ≥ 0, got ${elapsedMs}`);
  if (!hex32(nonce)) throw new RangeError("the nonce must be the 32 bytes of hex the validator sent");
  const workFlops = challengeWorkFlops(ch);
  const base: HardwareVerdict = {
    passed: false,
    code: "ok",
    reason: "",
    challengeId: ch.id,
    gpuClass: ch.gpuClass,
    gpuCount: ch.gpuCount,
    elapsedMs,
    deadlineMs: ch.deadlineMs,
    workFlops,
    measuredTflops: workFlops / (Math.max(elapsedMs, 1e-3) / 1000) / 1e12,
    assumedTflops: ch.assumedTflops * ch.gpuCount,
    rowsChecked: 0,
  };
  const fail = (code: HardwareVerdictCode, reason: string, row?: number): Prepared => ({
    verdict: { ...base, code, reason, ...(row === undefined ? {} : { row }) },
  });
  const rootBytes = hex32(root);
  if (!rootBytes) return fail("malformed", `the commitment is not 32 bytes of hex: ${JSON.stringify(root)}`);
  if (elapsedMs > ch.deadlineMs) {
    return fail(
      "too-slow",
      `too slow: ${seconds(elapsedMs)} > ${seconds(ch.deadlineMs)} allowed for ${offerLabel(ch)}`,
    );
  }
  const expected = selectRows(ch, root, nonce);
  if (!Array.isArray(rows)) return fail("malformed", "the response is not a list of opened rows");
  const opened = rows as Partial<OpenedRow>[];
  const got = opened.map((o) => (typeof o === "object" && o !== null ? o.row : undefined));
  if (got.length !== expected.length || got.some((row, i) => row !== expected[i])) {
    return fail(
      "wrong-rows",
      `the response opens rows [${listRows(got)}] but the nonce selects [${listRows(expected)}]`,
    );
  }
  const leaves = leafCount(ch);
  const claims: Claim[] = [];
  for (const o of opened) {
    const row = o.row as number;
    const leaf = Math.floor(row / ch.rowsPerLeaf);
    const [first, end] = leafRows(ch, leaf);
    const values = o.values;
    if (o.leaf !== leaf)
      return fail("malformed", `row ${row} belongs to leaf ${leaf}, the response says ${o.leaf}`, row);
    if (
      !Array.isArray(values) ||
      values.length !== (end - first) * ch.width ||
      !values.every((v) => Number.isInteger(v) && Math.abs(v) <= ch.n)
    ) {
      return fail(
        "malformed",
        `row ${row}: leaf ${leaf} must hold ${(end - first) * ch.width} integers in [−${ch.n}, ${ch.n}]`,
        row,
      );
    }
    if (
      !Array.isArray(o.proof) ||
      rootFromProof(leafHash(values), leaf, leaves, o.proof) !== `0x${rootBytes.toString("hex")}`
    ) {
      return fail(
        "commitment-mismatch",
        `commitment mismatch: row ${row}'s leaf does not hash to the committed root`,
        row,
      );
    }
    const at = (row - first) * ch.width;
    claims.push({ row, z: values.slice(at, at + ch.width) });
  }
  return { claims, base };
}

function judge(ch: HardwareChallenge, base: HardwareVerdict, claims: Claim[], computed: Int16Array): HardwareVerdict {
  for (const [i, claim] of claims.entries()) {
    const want = Array.from(computed.subarray(i * ch.width, (i + 1) * ch.width));
    if (want.some((v, o) => v !== claim.z[o])) {
      return {
        ...base,
        code: "row-mismatch",
        reason: `row ${claim.row} does not match: the provider says [${claim.z.join(", ")}], the seed gives [${want.join(", ")}]`,
        rowsChecked: i,
        row: claim.row,
      };
    }
  }
  return {
    ...base,
    passed: true,
    code: "ok",
    reason:
      `passed: ${claims.length} rows match the commitment, ${seconds(base.elapsedMs)} ≤ ${seconds(ch.deadlineMs)} ` +
      `allowed for ${offerLabel(ch)} (≥ ${tflops(base.measuredTflops)} TFLOPS measured, ` +
      `${tflops(base.assumedTflops)} assumed)`,
    rowsChecked: claims.length,
  };
}

/**
 * The verdict on a provider's response. `root` is the commitment the provider sent, `nonce` the random value
 * the validator sent after receiving it, `rows` the provider's openings (untrusted input: anything is
 * judged, nothing throws for it), `elapsedMs` the validator's OWN measurement from sending the challenge to
 * receiving the commitment. Checks, cheapest first: the deadline, that exactly the selected rows are
 * opened, their Merkle paths, then recomputes each row from the seed and compares.
 *
 * Synchronous: the recomputation costs openRows × rounds × n² additions (about 3 s for a 1×H100
 * challenge); checkResponseAsync does it in worker threads.
 */
export function checkResponse(
  ch: HardwareChallenge,
  root: string,
  nonce: string,
  rows: unknown,
  elapsedMs: number,
): HardwareVerdict {
  const prepared = prepare(ch, root, nonce, rows, elapsedMs);
  if ("verdict" in prepared) return prepared.verdict;
  const computed = computeRows(
    chainContext(ch),
    prepared.claims.map((c) => c.row),
  );
  return judge(ch, prepared.base, prepared.claims, computed);
}

/** checkResponse with the rows recomputed in up to `workers` worker threads (default: the cores). */
export async function checkResponseAsync(
  ch: HardwareChallenge,
  root: string,
  nonce: string,
  rows: unknown,
  elapsedMs: number,
  options: { workers?: number; signal?: AbortSignal } = {},
): Promise<HardwareVerdict> {
  const prepared = prepare(ch, root, nonce, rows, elapsedMs);
  if ("verdict" in prepared) return prepared.verdict;
  const indices = prepared.claims.map((c) => c.row);
  const parts = splitRange(indices.length, options.workers ?? availableParallelism());
  const results = await Promise.all(
    parts.map(([a, b]) => runInWorker({ challenge: ch, rows: indices.slice(a, b) }, options.signal)),
  );
  const computed = new Int16Array(indices.length * ch.width);
  parts.forEach(([a], i) => {
    computed.set(results[i] as Int16Array, a * ch.width);
  });
  return judge(ch, prepared.base, prepared.claims, computed);
}
