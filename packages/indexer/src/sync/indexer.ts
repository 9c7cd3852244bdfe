// The indexer subsystem: runs sync rounds until caught up, then polls for new blocks. Readers can
// wait for a block to be indexed (`waitForBlock`) instead of sleeping.
import { EventEmitter, once } from "node:events";
import type { Deployment } from "@plasma/sdk";
import type { Logger } from "pino";
import { createPublicClient, http, type PublicClient } from "viem";
import type { Database } from "../db/database.ts";
import { createChainSync, type SyncRound } from "./chainSync.ts";

export type IndexerOptions = {
  db: Database;
  deployment: Deployment;
  logger: Logger;
  /** RPC to read from; defaults to the deployment's. */
  rpcUrl?: string | undefined;
  /** Pause between rounds once caught up (ms). */
  pollMs?: number | undefined;
  maxBlocksPerRound?: number | undefined;
};

export type IndexerStatus = {
  block: number;
  headBlock: number | null;
  syncedAt: number | null;
  lastError: string | null;
};

export function createIndexer(options: IndexerOptions) {
  const { db, deployment, logger } = options;
  const pollMs = options.pollMs ?? 500;
  const client = createPublicClient({
    transport: http(options.rpcUrl ?? deployment.rpcUrl, { batch: true, retryCount: 2 }),
  }) as PublicClient;
  const sync = createChainSync({ db, client, deployment, maxBlocksPerRound: options.maxBlocksPerRound });
  const progress = new EventEmitter();
  progress.setMaxListeners(0);
  const status: IndexerStatus = {
    block: deployment.deployedAtBlock - 1,
    headBlock: null,
    syncedAt: null,
    lastError: null,
  };
  let running = false;
  let timer: NodeJS.Timeout | undefined;
  let loop: Promise<void> | undefined;
  let wake: (() => void) | undefined;

  async function round(): Promise<SyncRound> {
    const r = await sync.syncOnce();
    status.block = r.block;
    status.headBlock = r.head;
    status.lastError = null;
    if (r.caughtUp) status.syncedAt = Math.floor(Date.now() / 1000);
    if (r.rolledBackTo !== undefined) logger.warn({ rolledBackTo: r.rolledBackTo }, "chain reorganised: rolled back");
    if (r.events > 0) logger.debug({ block: r.block, events: r.events }, "indexed");
    progress.emit("round", r);
    return r;
  }

  async function run(): Promise<void> {
    while (running) {
      let caughtUp = false;
      try {
        caughtUp = (await round()).caughtUp;
      } catch (error) {
        status.lastError = error instanceof Error ? error.message : String(error);
        logger.error({ err: error }, "sync round failed; retrying");
        progress.emit("failure", error);
        if (error instanceof Error && error.name === "DeploymentMismatchError") {
          running = false;
          throw error;
        }
      }
      if (caughtUp && running) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          timer = setTimeout(resolve, pollMs);
        });
      }
    }
  }

  return {
    status: (): IndexerStatus => ({ ...status }),
    /** Starts polling in the background; a DeploymentMismatchError stops it (and shows in `status().lastError`). */
    start(): void {
      if (running) return;
      running = true;
      loop = run();
      loop.catch(() => {});
    },
    /** Resolves once block `block` is indexed; rejects after `timeoutMs`. */
    async waitForBlock(block: number, timeoutMs = 30_000): Promise<void> {
      const signal = AbortSignal.timeout(timeoutMs);
      while (status.block < block) {
        wake?.();
        try {
          await once(progress, "round", { signal });
        } catch {
          throw new Error(`The indexer did not reach block ${block} within ${timeoutMs} ms (at ${status.block}).`);
        }
      }
    },
    async stop(): Promise<void> {
      running = false;
      clearTimeout(timer);
      wake?.();
      await loop?.catch(() => {});
    },
  };
}

export type Indexer = ReturnType<typeof createIndexer>;
