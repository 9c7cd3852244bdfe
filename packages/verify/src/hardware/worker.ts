// Worker-thread entry: computes chain rows off the main thread (runCpuChallenge, checkResponseAsync).
import { parentPort, workerData } from "node:worker_threads";
import { chainContext, computeRowRange, computeRows } from "./chain.ts";
import type { WorkerTask } from "./workers.ts";

const task = workerData as WorkerTask;
try {
  const ctx = chainContext(task.challenge);
  const z = "rows" in task ? computeRows(ctx, task.rows) : computeRowRange(ctx, task.start, task.end);
  parentPort?.postMessage({ z }, [z.buffer as ArrayBuffer]);
} catch (error) {
  parentPort?.postMessage({ error: error instanceof Error ? error.message : String(error) });
}
