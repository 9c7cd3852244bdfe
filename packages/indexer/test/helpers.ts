// Shared by the indexer tests: a fresh database indexed to the chain head, and a dump of its read model.
import type { Deployment } from "@plasma/sdk";
import { createPublicClient, http, type PublicClient } from "viem";
import { type Database, openDatabase } from "../src/db/database.ts";
import { migrate } from "../src/db/migrate.ts";
import { READ_MODEL_TABLES } from "../src/store/applyEvent.ts";
import { createChainSync } from "../src/sync/chainSync.ts";

export async function migratedDatabase(dataDir?: string): Promise<Database> {
  const db = await openDatabase({ dataDir });
  await migrate(db);
  return db;
}

export function chainSyncFor(db: Database, deployment: Deployment, maxBlocksPerRound?: number) {
  const client = createPublicClient({ transport: http(deployment.rpcUrl) }) as PublicClient;
  return createChainSync({ db, client, deployment, maxBlocksPerRound });
}

/** Syncs until caught up; returns the rounds it took. */
export async function catchUp(sync: ReturnType<typeof createChainSync>) {
  const rounds = [];
  for (;;) {
    const round = await sync.syncOnce();
    rounds.push(round);
    if (round.caughtUp) return rounds;
  }
}

/** A fresh in-memory database indexed up to the chain head. */
export async function freshIndex(deployment: Deployment): Promise<Database> {
  const db = await migratedDatabase();
  await catchUp(chainSyncFor(db, deployment));
  return db;
}

/** Every read-model row and every event, in a stable order: equal dumps mean equal indexes. */
export async function dump(db: Database): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const table of [...READ_MODEL_TABLES, "events"]) {
    const rows = (await db.query(`SELECT * FROM ${table}`)).map((r) => JSON.stringify(r));
    out[table] = rows.sort();
  }
  return out;
}
