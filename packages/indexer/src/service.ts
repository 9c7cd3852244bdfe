// The composition root: database → migrations → indexer → API server. Starts them in that order
// and, if a later one fails, stops the ones already running.
import type { Deployment } from "@plasma/sdk";
import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { createApiServer } from "./api/server.ts";
import { type Database, openDatabase } from "./db/database.ts";
import { migrate } from "./db/migrate.ts";
import { createIndexer, type Indexer } from "./sync/indexer.ts";

export type IndexerServiceOptions = {
  deployment: Deployment;
  logger: Logger;
  /** PostgreSQL URL; absent: embedded PGlite (in `dataDir`, or in memory without one). */
  databaseUrl?: string | undefined;
  dataDir?: string | undefined;
  /** API port (0 picks a free one) and host. */
  port?: number | undefined;
  host?: string | undefined;
  /** Built web app to serve at `/`. */
  webDir?: string | undefined;
  pollMs?: number | undefined;
};

export type IndexerService = {
  db: Database;
  indexer: Indexer;
  api: FastifyInstance;
  /** Base URL of the API and web app, e.g. http://127.0.0.1:8600. */
  url: string;
  stop(): Promise<void>;
};

/** Opens the database, brings it up to date, starts indexing and serves the API. */
export async function startIndexerService(options: IndexerServiceOptions): Promise<IndexerService> {
  const db = await openDatabase({ url: options.databaseUrl, dataDir: options.dataDir });
  let indexer: Indexer | undefined;
  try {
    await migrate(db);
    indexer = createIndexer({
      db,
      deployment: options.deployment,
      logger: options.logger.child({ component: "indexer" }),
      pollMs: options.pollMs,
    });
    const running = indexer;
    const api = await createApiServer({
      db,
      deployment: options.deployment,
      status: () => running.status(),
      logger: options.logger.child({ component: "api" }),
      webDir: options.webDir,
    });
    const host = options.host ?? "127.0.0.1";
    await api.listen({ port: options.port ?? 8600, host });
    const { port } = api.server.address() as { port: number };
    running.start();
    return {
      db,
      indexer: running,
      api,
      url: `http://${host}:${port}`,
      async stop() {
        await api.close();
        await running.stop();
        await db.close();
      },
    };
  } catch (error) {
    await indexer?.stop();
    await db.close();
    throw error;
  }
}
