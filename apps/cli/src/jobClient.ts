import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { END_REASON_TEXT, type Lease } from "@plasma/sdk";

// Finding a lease's provider and checking its outputs against the chain is shared with validators.
export { downloadVerifiedResults, providerApiFor, ResultMismatchError } from "@plasma/verify";

/** The last lines of a job's log, from its results (or empty). */
export function lastLogLines(dir: string, count = 10): string[] {
  const file = join(dir, ".plasma", "logs.txt");
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8").trimEnd().split("\n").slice(-count);
}

/** A sentence on how a lease ended, for people. */
export function describeLeaseEnd(lease: Lease): string {
  return lease.endReason === "none" ? lease.status : `${lease.endReason}: ${END_REASON_TEXT[lease.endReason]}`;
}
