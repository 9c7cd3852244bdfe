import { chownSync, lstatSync, readdirSync } from "node:fs";
import { join } from "node:path";

/**
 * Host uids that sandboxed jobs run as when the node is root. Each running job gets its own, from a range
 * no real account uses, so that even a job that escaped its namespaces would be an unprivileged stranger on
 * the host: it could read none of the node's files (mode 0600, owned by root) and signal none of its processes.
 */
export const JOB_UID_BASE = 2_000_000;
const SLOTS = 1024;
/** Jobs of different nodes on one host (a provider and a validator) draw from different blocks of uids. */
const block = (process.pid % 4096) * SLOTS;
const inUse = new Set<number>();

/** A job's host identity; `release` returns it to the pool once the job's processes are gone. */
export type JobUser = { uid: number; gid: number; release(): void };

/** Whether this node can hand jobs a uid of their own (only root can change a process's uid). */
const canSwitchUser = () => process.getuid?.() === 0;

/**
 * Picks a free job uid (gid alike), or undefined when the node is not root: its jobs then run as the node's
 * own uid, still without capabilities inside their user namespace.
 */
export function allocateJobUser(): JobUser | undefined {
  if (!canSwitchUser()) return undefined;
  for (let slot = 0; slot < SLOTS; slot++) {
    if (inUse.has(slot)) continue;
    inUse.add(slot);
    const id = JOB_UID_BASE + block + slot;
    return { uid: id, gid: id, release: () => inUse.delete(slot) };
  }
  throw new Error(`more than ${SLOTS} sandboxed jobs at once on this node`);
}

/** Gives a job's uid its work directory and what is in it (inputs, a previous run's files), never following links. */
export function giveWorkDir(path: string, user: JobUser): void {
  chownSync(path, user.uid, user.gid);
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) giveWorkDir(child, user);
    else if (!lstatSync(child).isSymbolicLink()) chownSync(child, user.uid, user.gid);
  }
}
