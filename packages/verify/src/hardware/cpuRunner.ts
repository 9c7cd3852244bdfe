// The provider's CPU runner: computes every row in worker threads and commits to the outputs.
import { availableParallelism } from "node:os";
import { type HardwareChallenge, validateChallenge } from "./challenge.ts";
import { type CommittedRun, commitRows, leafRows } from "./protocol.ts";
import { runInWorker, splitRange } from "./workers.ts";

export type CpuRunOptions = {
  /** Worker threads (default: the machine's available parallelism). */
  workers?: number;
  signal?: AbortSignal;
};

/**
 * Runs a challenge on the CPU (exact int32 arithmetic, TypeScript) in worker threads, so the calling
 * event loop stays free, and commits to the outputs. Meant for the "cpu" class and for tests; a GPU
 * provider uses runGpuChallenge. The commitment is identical whichever runner computes it.
 */
export async function runCpuChallenge(
  challenge: HardwareChallenge,
  options: CpuRunOptions = {},
): Promise<CommittedRun> {
  const ch = validateChallenge(challenge);
  const workers = Math.max(1, Math.floor(options.workers ?? availableParallelism()));
  const started = performance.now();
  const parts = splitRange(ch.rows, workers);
  const chunks = await Promise.all(
    parts.map(([start, end]) => runInWorker({ challenge: ch, start, end }, options.signal)),
  );
  const values = new Int16Array(ch.rows * ch.width);
  parts.forEach(([start], i) => {
    values.set(chunks[i] as Int16Array, start * ch.width);
  });
  const { root, tree } = commitRows(ch, values);
  const computeMs = performance.now() - started;
  return {
    challengeId: ch.id,
    root,
    tree,
    computeMs,
    runner: "cpu/int32",
    devices: [`cpu × ${parts.length} worker${parts.length === 1 ? "" : "s"}`],
    readLeaf(leaf: number) {
      const [first, end] = leafRows(ch, leaf);
      if (first >= end || leaf < 0) throw new RangeError(`no leaf ${leaf}`);
      return values.slice(first * ch.width, end * ch.width);
    },
    dispose() {},
  };
}
