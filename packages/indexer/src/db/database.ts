// One SQL interface over two engines: PGlite (PostgreSQL compiled to WebAssembly, in process, the
// default) and a PostgreSQL server (when DATABASE_URL is set). Both speak the same dialect, so the
// schema, the migrations and every query are shared.
import { PGlite, types } from "@electric-sql/pglite";
import pg from "pg";

/** A row as the engines return it: bigint columns come back as numbers, numeric as strings. */
export type Row = Record<string, unknown>;

/** What the indexer and the API need from a database. */
export type Queryable = {
  query<T extends Row = Row>(text: string, params?: readonly unknown[]): Promise<T[]>;
};

export type Database = Queryable & {
  /** "pglite" (embedded) or "postgres" (a server). */
  engine: "pglite" | "postgres";
  /** Runs several statements (no parameters), e.g. a migration. */
  exec(text: string): Promise<void>;
  /** Runs `work` in one transaction: all of it lands, or none of it. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
};

export type OpenDatabaseOptions = {
  /** A PostgreSQL URL (postgres://…); when absent, an embedded PGlite database is used. */
  url?: string | undefined;
  /** Where the embedded database keeps its files; absent: in memory (lost on exit). */
  dataDir?: string | undefined;
};

/** The PostgreSQL server named by DATABASE_URL does not answer (retrying can help once it is up). */
export class DatabaseUnreachableError extends Error {
  override name = "DatabaseUnreachableError";
}

/** Block numbers and timestamps (int8) fit a JS number; amounts are numeric and stay strings. */
const INT8 = 20;

/**
 * Opens the indexer's database: PostgreSQL when `url` is given, else embedded PGlite.
 * @example const db = await openDatabase({ dataDir: ".plasma/indexer" });
 */
export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<Database> {
  return options.url ? openPostgres(options.url) : openPglite(options.dataDir);
}

async function openPglite(dataDir: string | undefined): Promise<Database> {
  const db = await PGlite.create(dataDir, { parsers: { [types.INT8]: (v: string) => Number(v) } });
  const queryable = (q: Pick<PGlite, "query">): Queryable => ({
    async query<T extends Row>(text: string, params?: readonly unknown[]) {
      return (await q.query<T>(text, params as unknown[] | undefined)).rows;
    },
  });
  return {
    engine: "pglite",
    ...queryable(db),
    async exec(text) {
      await db.exec(text);
    },
    transaction: (work) => db.transaction((tx) => work(queryable(tx))),
    close: () => db.close(),
  };
}

async function openPostgres(url: string): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: 8 });
  pool.on("error", () => {}); // an idle client's error surfaces on its next query instead
  const parse = (typeId: number, format?: string) =>
    typeId === INT8 ? (v: string) => Number(v) : pg.types.getTypeParser(typeId, format as "text");
  const run = async <T extends Row>(client: pg.Pool | pg.PoolClient, text: string, params?: readonly unknown[]) =>
    (await client.query<T>({ text, values: params as unknown[] | undefined, types: { getTypeParser: parse } })).rows;
  // Fail now, naming the server and the fix, rather than at the first query.
  try {
    (await pool.connect()).release();
  } catch (error) {
    await pool.end().catch(() => {});
    const { hostname, port } = new URL(url);
    throw new DatabaseUnreachableError(
      `Cannot connect to the PostgreSQL server at ${hostname}${port ? `:${port}` : ""} (DATABASE_URL): ` +
        `${(error as Error).message || (error as { code?: string }).code}. Start it and check the URL, ` +
        "or unset DATABASE_URL to use the embedded database.",
    );
  }
  return {
    engine: "postgres",
    query: (text, params) => run(pool, text, params),
    async exec(text) {
      await pool.query(text);
    },
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        const result = await work({ query: (text, params) => run(client, text, params) });
        await client.query("COMMIT");
        return result;
      } catch (error) {
        await client.query("ROLLBACK").catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
