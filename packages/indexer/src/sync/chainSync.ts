// The sync cursor: reads the Plasma contracts' logs block range by block range and commits each
// range with the headers it was read against. Before every round it checks that the block under
// the cursor is still on the chain; when it is not (a reorg), it walks back to the last block both
// agree on and rolls the database back to it. A range whose logs do not match the headers read with
// it (the chain moved meanwhile) is dropped and read again.
import type { Deployment } from "@plasma/sdk";
import type { Block, PublicClient } from "viem";
import type { Database } from "../db/database.ts";
import {
  type BlockHeader,
  commitRound,
  readCursor,
  readState,
  rollBackTo,
  storedHeaders,
  writeState,
} from "../store/eventStore.ts";
import { createDecoder, type IndexedEvent } from "./decode.ts";

export type SyncRound = {
  /** The cursor after the round. */
  block: number;
  head: number;
  /** New events stored this round (duplicates are not counted). */
  events: number;
  /** Set when a reorg was found: the block the database was rolled back to. */
  rolledBackTo?: number;
  /** Whether the cursor reached the head. */
  caughtUp: boolean;
};

export type ChainSyncOptions = {
  db: Database;
  client: PublicClient;
  deployment: Deployment;
  /** Most blocks read per round (and per eth_getLogs call). */
  maxBlocksPerRound?: number;
};

/** Raised when the database holds another deployment's events: never mix two chains' data. */
export class DeploymentMismatchError extends Error {
  override name = "DeploymentMismatchError";
}

export function createChainSync(options: ChainSyncOptions) {
  const { db, client, deployment } = options;
  const maxBlocks = options.maxBlocksPerRound ?? 2000;
  const decoder = createDecoder(deployment.contracts);
  const identity = `${deployment.chainId}:${deployment.contracts.computeMarket.toLowerCase()}`;
  const firstBlock = deployment.deployedAtBlock;

  async function header(number: number): Promise<BlockHeader | null> {
    const block: Block | null = await client.getBlock({ blockNumber: BigInt(number) }).catch((error: unknown) => {
      if (error instanceof Error && error.name === "BlockNotFoundError") return null;
      throw error;
    });
    if (!block?.hash) return null;
    return { number, hash: block.hash, parentHash: block.parentHash, timestamp: Number(block.timestamp) };
  }

  /** The newest stored block that the chain still has; below the first block when none is. */
  async function commonAncestor(from: number): Promise<number> {
    for (let below = from; below >= firstBlock; ) {
      const candidates = await storedHeaders(db, below, 32);
      if (candidates.length === 0) break;
      const onChain = await Promise.all(candidates.map((c) => header(c.number)));
      const match = candidates.find((c, i) => onChain[i]?.hash === c.hash);
      if (match) return match.number;
      below = (candidates.at(-1)?.number ?? firstBlock) - 1;
    }
    return firstBlock - 1;
  }

  async function checkIdentity(): Promise<void> {
    const stored = await readState(db, "deployment");
    if (stored === undefined) await writeState(db, "deployment", identity);
    else if (stored !== identity) {
      throw new DeploymentMismatchError(
        `This database indexes another deployment (${stored}), not chain ${deployment.chainId} with market ` +
          `${deployment.contracts.computeMarket}. Point the indexer at an empty database (a new --data-dir or DATABASE_URL).`,
      );
    }
  }

  let identityChecked = false;

  /** Runs one round: detects a reorg, then reads and commits at most `maxBlocksPerRound` blocks. */
  async function syncOnce(): Promise<SyncRound> {
    if (!identityChecked) {
      await checkIdentity();
      identityChecked = true;
    }
    const head = Number(await client.getBlockNumber({ cacheTime: 0 }));
    const cursor = await readCursor(db);
    if (cursor) {
      const current = await header(cursor.number);
      if (current?.hash !== cursor.hash) {
        const ancestor = await commonAncestor(cursor.number - 1);
        await rollBackTo(db, ancestor);
        return { block: ancestor, head, events: 0, rolledBackTo: ancestor, caughtUp: false };
      }
    }
    const from = cursor ? cursor.number + 1 : firstBlock;
    if (from > head) return { block: from - 1, head, events: 0, caughtUp: true };
    const to = Math.min(head, from + maxBlocks - 1);

    const logs = await client.getLogs({ address: decoder.addresses, fromBlock: BigInt(from), toBlock: BigInt(to) });
    const numbers = [...new Set([from, to, ...logs.map((l) => Number(l.blockNumber))])];
    const headers = await Promise.all(numbers.map(header));
    const byNumber = new Map(headers.filter((h): h is BlockHeader => h !== null).map((h) => [h.number, h]));
    const fromHeader = byNumber.get(from);
    const consistent =
      byNumber.size === numbers.length &&
      (!cursor || fromHeader?.parentHash === cursor.hash) &&
      logs.every((l) => byNumber.get(Number(l.blockNumber))?.hash === l.blockHash);
    // The chain changed under this round: the next one starts with the reorg check.
    if (!consistent) return { block: cursor?.number ?? firstBlock - 1, head, events: 0, caughtUp: false };

    const events: IndexedEvent[] = logs.map((l) =>
      decoder.decode(l, (byNumber.get(Number(l.blockNumber)) as BlockHeader).timestamp),
    );
    const added = await commitRound(db, [...byNumber.values()], events, to);
    return { block: to, head, events: added, caughtUp: to === head };
  }

  return { syncOnce };
}

export type ChainSync = ReturnType<typeof createChainSync>;
