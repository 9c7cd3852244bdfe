import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync } from "node:sqlite";
import type { Hex } from "viem";

/** What the validator did for one lease and round: enough to finish the game after a restart. */
export type WorkRow = {
  leaseId: string;
  round: number;
  resultHash: Hex;
  salt: Hex;
  workDir: string;
  /** computed (saved, commitment not yet confirmed) → committed → attested → revealed (final reveal). */
  state: "computed" | "committed" | "attested" | "revealed";
};

const SCHEMA = `
CREATE TABLE IF NOT EXISTS work (
  lease_id TEXT NOT NULL,
  round INTEGER NOT NULL,
  result_hash TEXT NOT NULL,
  salt TEXT NOT NULL,
  work_dir TEXT NOT NULL,
  state TEXT NOT NULL,
  PRIMARY KEY (lease_id, round)
);
`;

/** The validator's memory: an embedded SQLite database (Node's own). */
export type ValidatorDb = ReturnType<typeof openValidatorDb>;

export function openValidatorDb(path: string) {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  db.exec("PRAGMA journal_mode = WAL;");
  db.exec(SCHEMA);
  const toRow = (r: Record<string, string | number | null>): WorkRow => ({
    leaseId: String(r.lease_id),
    round: Number(r.round),
    resultHash: String(r.result_hash) as Hex,
    salt: String(r.salt) as Hex,
    workDir: String(r.work_dir),
    state: String(r.state) as WorkRow["state"],
  });
  return {
    /** Records a result before its commitment is sent, so a crash in between cannot lose the salt. */
    saveWork(row: WorkRow): void {
      db.prepare(
        "INSERT OR REPLACE INTO work (lease_id, round, result_hash, salt, work_dir, state) VALUES (?, ?, ?, ?, ?, ?)",
      ).run(row.leaseId, row.round, row.resultHash, row.salt, row.workDir, row.state);
    },
    getWork(leaseId: string, round: number): WorkRow | undefined {
      const r = db.prepare("SELECT * FROM work WHERE lease_id = ? AND round = ?").get(leaseId, round);
      return r ? toRow(r as Record<string, string | number | null>) : undefined;
    },
    setState(leaseId: string, round: number, state: WorkRow["state"]): void {
      db.prepare("UPDATE work SET state = ? WHERE lease_id = ? AND round = ?").run(state, leaseId, round);
    },
    close(): void {
      db.close();
    },
  };
}
