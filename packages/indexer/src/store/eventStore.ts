// The events table and the cursor: what has been indexed, up to which block, on which chain branch.
import type { Database, Queryable } from "../db/database.ts";
import type { IndexedEvent } from "../sync/decode.ts";
import { applyEvent, READ_MODEL_TABLES } from "./applyEvent.ts";

export type BlockHeader = { number: number; hash: string; parentHash: string; timestamp: number };

/** The last fully indexed block, or null before the first round. */
export async function readCursor(db: Queryable): Promise<BlockHeader | null> {
  const rows = await db.query<{ number: number; hash: string; parent_hash: string; timestamp: number }>(
    `SELECT b.number, b.hash, b.parent_hash, b.timestamp FROM indexer_state s JOIN blocks b ON b.number = s.value::bigint
     WHERE s.key = 'cursor'`,
  );
  const row = rows[0];
  return row ? { number: row.number, hash: row.hash, parentHash: row.parent_hash, timestamp: row.timestamp } : null;
}

export async function readState(db: Queryable, key: string): Promise<string | undefined> {
  return (await db.query<{ value: string }>("SELECT value FROM indexer_state WHERE key = $1", [key]))[0]?.value;
}

export async function writeState(db: Queryable, key: string, value: string): Promise<void> {
  await db.query(
    "INSERT INTO indexer_state (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
    [key, value],
  );
}

/**
 * Stores one round: the headers seen, the events (each at most once: a duplicate delivery changes
 * nothing) and the new cursor, all in one transaction. Returns how many events were new.
 */
export async function commitRound(db: Database, headers: BlockHeader[], events: IndexedEvent[], cursor: number) {
  return db.transaction(async (tx) => {
    for (const h of headers) {
      await tx.query(
        `INSERT INTO blocks (number, hash, parent_hash, timestamp) VALUES ($1, $2, $3, $4)
         ON CONFLICT (number) DO UPDATE SET hash = EXCLUDED.hash, parent_hash = EXCLUDED.parent_hash,
           timestamp = EXCLUDED.timestamp`,
        [h.number, h.hash, h.parentHash, h.timestamp],
      );
    }
    let added = 0;
    for (const e of events) {
      const inserted = await tx.query(
        `INSERT INTO events (block_number, log_index, block_hash, tx_hash, timestamp, contract, name, args, lease_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING RETURNING 1`,
        [
          e.blockNumber,
          e.logIndex,
          e.blockHash,
          e.txHash,
          e.timestamp,
          e.contract,
          e.name,
          JSON.stringify(e.args),
          e.args.leaseId ?? null,
        ],
      );
      if (inserted.length === 0) continue;
      await applyEvent(tx, e);
      added += 1;
    }
    await writeState(tx, "cursor", String(cursor));
    return added;
  });
}

/** Stored headers at or below `below`, newest first: the candidates for the last common block. */
export async function storedHeaders(db: Queryable, below: number, limit: number): Promise<BlockHeader[]> {
  const rows = await db.query<{ number: number; hash: string; parent_hash: string; timestamp: number }>(
    "SELECT number, hash, parent_hash, timestamp FROM blocks WHERE number <= $1 ORDER BY number DESC LIMIT $2",
    [below, limit],
  );
  return rows.map((r) => ({ number: r.number, hash: r.hash, parentHash: r.parent_hash, timestamp: r.timestamp }));
}

/**
 * Forgets everything above block `ancestor` (a reorg replaced it) and rebuilds the read model from
 * the events that remain, in one transaction: readers see the old state or the new, never a mix.
 */
export async function rollBackTo(db: Database, ancestor: number): Promise<{ removedEvents: number }> {
  return db.transaction(async (tx) => {
    const removed = await tx.query("DELETE FROM events WHERE block_number > $1 RETURNING 1", [ancestor]);
    await tx.query("DELETE FROM blocks WHERE number > $1", [ancestor]);
    await rebuildReadModel(tx);
    await writeState(tx, "cursor", String(ancestor));
    return { removedEvents: removed.length };
  });
}

/** Empties the read model and replays every stored event into it, in chain order. */
export async function rebuildReadModel(tx: Queryable): Promise<void> {
  for (const table of READ_MODEL_TABLES) await tx.query(`DELETE FROM ${table}`);
  const pageSize = 5000;
  for (let after = { block: -1, log: -1 }; ; ) {
    const page = await tx.query<{
      block_number: number;
      log_index: number;
      block_hash: string;
      tx_hash: string;
      timestamp: number;
      contract: string;
      name: string;
      args: IndexedEvent["args"];
    }>(
      `SELECT block_number, log_index, block_hash, tx_hash, timestamp, contract, name, args FROM events
       WHERE (block_number, log_index) > ($1, $2) ORDER BY block_number, log_index LIMIT $3`,
      [after.block, after.log, pageSize],
    );
    for (const r of page) {
      await applyEvent(tx, {
        blockNumber: r.block_number,
        logIndex: r.log_index,
        blockHash: r.block_hash,
        txHash: r.tx_hash,
        timestamp: r.timestamp,
        contract: r.contract,
        name: r.name,
        args: r.args,
      });
    }
    const last = page.at(-1);
    if (!last || page.length < pageSize) return;
    after = { block: last.block_number, log: last.log_index };
  }
}
