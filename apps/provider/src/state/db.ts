import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync } from "node:sqlite";

/** Where a job is in its life on this node. */
export type JobState =
  | "opened"
  | "awaiting-spec"
  | "awaiting-inputs"
  | "starting"
  | "running"
  | "finishing"
  | "done"
  | "failed";

/** A job as the node remembers it across restarts. */
export type JobRow = {
  leaseId: string;
  client: string;
  specHash: string;
  gpus: number;
  maxSeconds: number;
  specJson: string | null;
  state: JobState;
  exitCode: number | null;
  timedOut: boolean;
  memoryExceeded: boolean;
  error: string | null;
  resultHash: string | null;
  /** The lease's on-chain end has been sent (complete or fail). */
  settledOnChain: boolean;
  startedAt: number | null;
  endedAt: number | null;
};

const SCHEMA = `
CREATE TABLE IF NOT EXISTS jobs (
  lease_id TEXT PRIMARY KEY,
  client TEXT NOT NULL,
  spec_hash TEXT NOT NULL,
  gpus INTEGER NOT NULL,
  max_seconds INTEGER NOT NULL,
  spec_json TEXT,
  state TEXT NOT NULL,
  exit_code INTEGER,
  timed_out INTEGER NOT NULL DEFAULT 0,
  memory_exceeded INTEGER NOT NULL DEFAULT 0,
  error TEXT,
  result_hash TEXT,
  settled_on_chain INTEGER NOT NULL DEFAULT 0,
  started_at INTEGER,
  ended_at INTEGER
);
CREATE TABLE IF NOT EXISTS nonces (
  lease_id TEXT NOT NULL,
  nonce TEXT NOT NULL,
  expires INTEGER NOT NULL,
  PRIMARY KEY (lease_id, nonce)
);
CREATE TABLE IF NOT EXISTS inputs (
  lease_id TEXT NOT NULL,
  path TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  PRIMARY KEY (lease_id, path)
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
DROP TABLE IF EXISTS channels;
CREATE TABLE IF NOT EXISTS channel_ledger (channel_id TEXT PRIMARY KEY, owed TEXT NOT NULL, best TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS channel_vouchers (
  channel_id TEXT NOT NULL,
  cumulative TEXT NOT NULL,
  signature TEXT NOT NULL,
  PRIMARY KEY (channel_id, cumulative)
);
`;

type Raw = Record<string, string | number | null>;

function toJob(r: Raw): JobRow {
  return {
    leaseId: String(r.lease_id),
    client: String(r.client),
    specHash: String(r.spec_hash),
    gpus: Number(r.gpus),
    maxSeconds: Number(r.max_seconds),
    specJson: r.spec_json === null ? null : String(r.spec_json),
    state: String(r.state) as JobState,
    exitCode: r.exit_code === null ? null : Number(r.exit_code),
    timedOut: r.timed_out === 1,
    memoryExceeded: r.memory_exceeded === 1,
    error: r.error === null ? null : String(r.error),
    resultHash: r.result_hash === null ? null : String(r.result_hash),
    settledOnChain: r.settled_on_chain === 1,
    startedAt: r.started_at === null ? null : Number(r.started_at),
    endedAt: r.ended_at === null ? null : Number(r.ended_at),
  };
}

const COLUMNS: Record<keyof Omit<JobRow, "leaseId">, string> = {
  client: "client",
  specHash: "spec_hash",
  gpus: "gpus",
  maxSeconds: "max_seconds",
  specJson: "spec_json",
  state: "state",
  exitCode: "exit_code",
  timedOut: "timed_out",
  memoryExceeded: "memory_exceeded",
  error: "error",
  resultHash: "result_hash",
  settledOnChain: "settled_on_chain",
  startedAt: "started_at",
  endedAt: "ended_at",
};

/** The provider node's state: an embedded SQLite database (Node's own), so a restart loses nothing. */
export type ProviderDb = ReturnType<typeof openProviderDb>;

export function openProviderDb(path: string) {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
  db.exec(SCHEMA);
  return {
    /** Records a lease seen on chain; a second sighting (catch-up after a restart) changes nothing. */
    insertJob(job: Pick<JobRow, "leaseId" | "client" | "specHash" | "gpus" | "maxSeconds">): boolean {
      const result = db
        .prepare(
          "INSERT OR IGNORE INTO jobs (lease_id, client, spec_hash, gpus, max_seconds, state) VALUES (?, ?, ?, ?, ?, 'opened')",
        )
        .run(job.leaseId, job.client, job.specHash, job.gpus, job.maxSeconds);
      return result.changes > 0;
    },
    getJob(leaseId: string): JobRow | undefined {
      const row = db.prepare("SELECT * FROM jobs WHERE lease_id = ?").get(leaseId) as Raw | undefined;
      return row ? toJob(row) : undefined;
    },
    updateJob(leaseId: string, changes: Partial<Omit<JobRow, "leaseId">>): void {
      const entries = Object.entries(changes) as [keyof typeof COLUMNS, unknown][];
      if (entries.length === 0) return;
      const sql = `UPDATE jobs SET ${entries.map(([k]) => `${COLUMNS[k]} = ?`).join(", ")} WHERE lease_id = ?`;
      const values = entries.map(([, v]) => (typeof v === "boolean" ? (v ? 1 : 0) : (v as string | number | null)));
      db.prepare(sql).run(...values, leaseId);
    },
    jobsIn(states: JobState[]): JobRow[] {
      const rows = db
        .prepare(
          `SELECT * FROM jobs WHERE state IN (${states.map(() => "?").join(",")}) ORDER BY CAST(lease_id AS INTEGER)`,
        )
        .all(...states) as Raw[];
      return rows.map(toJob);
    },
    unsettledEndedJobs(): JobRow[] {
      return (
        db.prepare("SELECT * FROM jobs WHERE state IN ('done','failed') AND settled_on_chain = 0").all() as Raw[]
      ).map(toJob);
    },
    countByState(): Record<string, number> {
      const rows = db.prepare("SELECT state, COUNT(*) AS n FROM jobs GROUP BY state").all() as {
        state: string;
        n: number;
      }[];
      return Object.fromEntries(rows.map((r) => [r.state, r.n]));
    },
    /** Remembers a request nonce; false if it was already used (a replay). */
    useNonce(leaseId: string, nonce: string, expires: number): boolean {
      db.prepare("DELETE FROM nonces WHERE expires < ?").run(Math.floor(Date.now() / 1000) - 3600);
      return (
        db
          .prepare("INSERT OR IGNORE INTO nonces (lease_id, nonce, expires) VALUES (?, ?, ?)")
          .run(leaseId, nonce, expires).changes > 0
      );
    },
    recordInput(leaseId: string, path: string, sha256: string): void {
      db.prepare("INSERT OR REPLACE INTO inputs (lease_id, path, sha256) VALUES (?, ?, ?)").run(leaseId, path, sha256);
    },
    inputsOf(leaseId: string): Map<string, string> {
      const rows = db.prepare("SELECT path, sha256 FROM inputs WHERE lease_id = ?").all(leaseId) as {
        path: string;
        sha256: string;
      }[];
      return new Map(rows.map((r) => [r.path, r.sha256]));
    },
    /** Leases this node completed with a result: their verification may still ask for the salt. */
    completedLeaseIds(): string[] {
      const rows = db
        .prepare("SELECT lease_id FROM jobs WHERE state = 'done' AND result_hash IS NOT NULL AND timed_out = 0")
        .all() as { lease_id: string }[];
      return rows.map((r) => r.lease_id);
    },
    /**
     * What a payment channel owes this node so far (requests charged, less credits for failed ones), and the
     * highest voucher it ever accepted on it.
     */
    channelLedger(channelId: string): { owed: bigint; best: bigint } | undefined {
      const r = db.prepare("SELECT owed, best FROM channel_ledger WHERE channel_id = ?").get(channelId) as
        | Raw
        | undefined;
      return r ? { owed: BigInt(String(r.owed)), best: BigInt(String(r.best)) } : undefined;
    },
    /** Records a charge: the new total owed and the voucher that covers it, in one transaction. */
    recordCharge(
      channelId: string,
      owed: bigint,
      best: bigint,
      voucher: { cumulativeAmount: bigint; signature: string },
    ): void {
      db.exec("BEGIN");
      try {
        db.prepare("INSERT OR REPLACE INTO channel_ledger (channel_id, owed, best) VALUES (?, ?, ?)").run(
          channelId,
          owed.toString(),
          best.toString(),
        );
        db.prepare("INSERT OR IGNORE INTO channel_vouchers (channel_id, cumulative, signature) VALUES (?, ?, ?)").run(
          channelId,
          voucher.cumulativeAmount.toString(),
          voucher.signature,
        );
        db.exec("COMMIT");
      } catch (error) {
        db.exec("ROLLBACK");
        throw error;
      }
    },
    setChannelOwed(channelId: string, owed: bigint): void {
      db.prepare("UPDATE channel_ledger SET owed = ? WHERE channel_id = ?").run(owed.toString(), channelId);
    },
    /** The vouchers held for a channel (every one accepted since the last redemption). */
    channelVouchers(channelId: string): { cumulativeAmount: bigint; signature: string }[] {
      const rows = db
        .prepare("SELECT cumulative, signature FROM channel_vouchers WHERE channel_id = ?")
        .all(channelId) as Raw[];
      return rows.map((r) => ({ cumulativeAmount: BigInt(String(r.cumulative)), signature: String(r.signature) }));
    },
    /** Forgets vouchers that can no longer pay anything (at or below what was redeemed). */
    dropVouchersUpTo(channelId: string, redeemed: bigint): void {
      for (const v of this.channelVouchers(channelId))
        if (v.cumulativeAmount <= redeemed)
          db.prepare("DELETE FROM channel_vouchers WHERE channel_id = ? AND cumulative = ?").run(
            channelId,
            v.cumulativeAmount.toString(),
          );
    },
    channelIds(): string[] {
      return (db.prepare("SELECT channel_id FROM channel_ledger").all() as Raw[]).map((r) => String(r.channel_id));
    },
    getMeta(key: string): string | undefined {
      return (db.prepare("SELECT value FROM meta WHERE key = ?").get(key) as { value: string } | undefined)?.value;
    },
    setMeta(key: string, value: string): void {
      db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)").run(key, value);
    },
    close(): void {
      db.close();
    },
  };
}
