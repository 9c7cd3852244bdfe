// Runs chain rows in worker threads, so neither a provider's nor a validator's event loop stalls.
import { Worker } from "node:worker_threads";
import type { HardwareChallenge } from "./challenge.ts";

type ChainParams = Pick<HardwareChallenge, "seed" | "n" | "rounds" | "width">;
export type WorkerTask = { challenge: ChainParams } & ({ start: number; end: number } | { rows: number[] });

const WORKER_URL = new URL("./worker.ts", import.meta.url);

/** Computes one task's rows in a fresh worker thread; rejects on an error or an abort (terminating it). */
export function runInWorker(task: WorkerTask, signal?: AbortSignal): Promise<Int16Array> {
  const { seed, n, rounds, width } = task.challenge;
  const data: WorkerTask = { ...task, challenge: { seed, n, rounds, width } };
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const worker = new Worker(WORKER_URL, { workerData: data });
    const onAbort = () => {
      void worker.terminate();
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    const done = () => signal?.removeEventListener("abort", onAbort);
    worker.once("message", (message: { z?: Int16Array; error?: string }) => {
      done();
      void worker.terminate();
      if (message.z) resolve(message.z);
      else reject(new Error(`challenge worker failed: ${message.error ?? "no result"}`));
    });
    worker.once("error", (error) => {
      done();
      reject(error);
    });
    worker.once("exit", (code) => {
      done();
      reject(new Error(`challenge worker exited (code ${code}) without a result`));
    });
  });
}

/** Splits [0, count) into at most `parts` contiguous, non-empty ranges. */
export function splitRange(count: number, parts: number): [number, number][] {
  const k = Math.max(1, Math.min(parts, count));
  return Array.from({ length: k }, (_, i) => [Math.floor((i * count) / k), Math.floor(((i + 1) * count) / k)]);
}
