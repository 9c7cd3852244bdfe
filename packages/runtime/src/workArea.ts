import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statfsSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { join, resolve } from "node:path";

/** A job's size-limited /work on the host. */
export type WorkArea = {
  /** The directory a runtime binds at /work. */
  path: string;
  /** How the size is limited (`ext4 image of 10 GiB`), or why it is not. */
  limit: string;
  /** Whether the job has used (almost) all of its space or of its files (inodes). */
  full(): boolean;
  /** Unmounts and deletes the work area and everything in it. */
  remove(): void;
};

const IMAGE = "work.img";
const PLAIN_DIR = "work";
/**
 * Where a root node mounts work areas: a folder any uid may pass through but not list, so that a job's own uid
 * reaches its /work although the node's data directory is closed to it.
 */
const MOUNT_ROOT = "/run/plasma-work";
/** Free space under which a work area counts as full: a little slack for the filesystem's own blocks. */
const FULL_BELOW_BYTES = 1024 * 1024;
/** Free inodes under which it counts as full too (a job can run out of files before bytes). */
const FULL_BELOW_INODES = 16;

const run = (command: string, args: string[]) => {
  const result = spawnSync(command, args, { encoding: "utf8" });
  return result.status === 0 ? undefined : (result.stderr || result.error?.message || `exit ${result.status}`).trim();
};

const isRoot = () => process.getuid?.() === 0;

/** Why this host cannot give a job a size-limited work area, or undefined when it can. */
function loopUnavailable(): string | undefined {
  if (!isRoot()) return "the node is not root (a loop-mounted work area needs root)";
  if (!existsSync("/dev/loop-control")) return "the host has no loop devices (/dev/loop-control)";
  if (!existsSync("/usr/sbin/mkfs.ext4") && !existsSync("/sbin/mkfs.ext4"))
    return "mkfs.ext4 is missing (apt-get install e2fsprogs)";
  return undefined;
}

/** Whether something is mounted at `path`, by /proc/self/mountinfo. */
function isMountPoint(path: string): boolean {
  const target = resolve(path);
  return readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .some((line) => line.split(" ")[4]?.replace(/\\040/g, " ") === target);
}

/** The mount point of `dir`'s work area on a root node; the same for the same `dir`, so a restart finds it. */
const mountPointOf = (dir: string) =>
  join(MOUNT_ROOT, createHash("sha256").update(resolve(dir)).digest("hex").slice(0, 24));

/**
 * Makes a job's work area for the job folder `dir`, limited to `bytes`. On a root node it is an ext4
 * filesystem in a sparse image file (`dir/work.img`), loop-mounted nosuid,nodev under /run/plasma-work, so a job
 * that fills it gets ENOSPC and the host's disk stays untouched (where loop devices are missing, `dir/work`
 * bind-mounted there instead, unlimited). Elsewhere it is the plain folder `dir/work`. `limit` says which.
 * @example const area = createWorkArea(jobDir, 10 * 1024 ** 3); … area.remove();
 */
export function createWorkArea(dir: string, bytes: number): WorkArea {
  removeWorkArea(dir); // a crashed run's leftovers
  const plain = join(dir, PLAIN_DIR);
  if (!isRoot()) {
    mkdirSync(plain, { recursive: true });
    return area(plain, dir, `not enforced: ${loopUnavailable()}`);
  }
  mkdirSync(MOUNT_ROOT, { recursive: true, mode: 0o711 });
  chmodSync(MOUNT_ROOT, 0o711);
  const path = mountPointOf(dir);
  mkdirSync(path);
  const unavailable = loopUnavailable();
  const image = join(dir, IMAGE);
  const failed =
    unavailable ??
    (() => {
      writeFileSync(image, "");
      truncateSync(image, bytes); // sparse: blocks are taken only as the job writes
      // No journal (a scratch filesystem that dies with the job), no blocks reserved for root, lazy init: ~10 ms.
      const args = ["-q", "-F", "-m", "0", "-O", "^has_journal", "-E", "lazy_itable_init=1", image];
      return run("mkfs.ext4", args) ?? run("mount", ["-o", "loop,nosuid,nodev,noatime", image, path]);
    })();
  if (!failed) {
    rmSync(join(path, "lost+found"), { recursive: true, force: true });
    return area(path, dir, `ext4 image of ${formatBytes(bytes)}`);
  }
  rmSync(image, { force: true });
  mkdirSync(plain, { recursive: true });
  const bound = run("mount", ["--bind", plain, path]);
  if (bound) throw new Error(`cannot mount the job's work area at ${path}: ${bound}`);
  return area(path, dir, `not enforced: ${unavailable ?? `could not mount a work area image (${failed})`}`);
}

function area(path: string, dir: string, limit: string): WorkArea {
  const limited = limit.startsWith("ext4");
  return {
    path,
    limit,
    full: () => {
      if (!limited) return false;
      const fs = statfsSync(path);
      return fs.bavail * fs.bsize < FULL_BELOW_BYTES || fs.ffree < FULL_BELOW_INODES;
    },
    remove: () => removeWorkArea(dir),
  };
}

/** Removes `dir`'s work area, mounted or not (also after a crash); a no-op when there is none. */
export function removeWorkArea(dir: string): void {
  const mountPoint = mountPointOf(dir);
  // A job's process may still hold a file open for an instant after it was killed: detach lazily.
  if (existsSync(mountPoint)) {
    if (isMountPoint(mountPoint)) run("umount", ["-l", mountPoint]);
    rmSync(mountPoint, { recursive: true, force: true });
  }
  rmSync(join(dir, PLAIN_DIR), { recursive: true, force: true });
  rmSync(join(dir, IMAGE), { force: true });
}

function formatBytes(bytes: number): string {
  const gib = bytes / 1024 ** 3;
  return gib >= 1 ? `${Number(gib.toFixed(2))} GiB` : `${Number((bytes / 1024 ** 2).toFixed(1))} MiB`;
}
