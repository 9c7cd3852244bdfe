import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** A memory limit enforced by a cgroup the job runs in. */
export type MemoryLimit = {
  /** How it is enforced, for logs: `cgroup v2`, `cgroup v1`. */
  mechanism: string;
  /** The file to write a pid into so that the process (and its children) are limited. */
  procsFile: string;
  /** Whether the kernel killed something in the group for exceeding the limit. */
  exceeded(): boolean;
  /** Peak memory of the group in bytes, when the kernel reports it. */
  peakBytes(): number | undefined;
  remove(): void;
};

function ownCgroup(controller: "memory" | ""): string | undefined {
  for (const line of readFileSync("/proc/self/cgroup", "utf8").split("\n")) {
    const [, controllers, path] = line.split(":");
    if (controllers === undefined || path === undefined) continue;
    if (controller === "" ? controllers === "" : controllers.split(",").includes(controller)) return path;
  }
  return undefined;
}

function tryCreate(dir: string): boolean {
  try {
    mkdirSync(dir);
    return true;
  } catch {
    return false;
  }
}

function readNumber(file: string, key?: string): number | undefined {
  try {
    const text = readFileSync(file, "utf8");
    if (!key) return Number(text.trim());
    const match = new RegExp(`^${key} (\\d+)$`, "m").exec(text);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Creates a cgroup limited to `bytes` under this process's own cgroup (v2, else v1's memory
 * controller). Returns undefined where neither is writable; the caller reports that the limit
 * cannot be enforced on this host.
 */
export function createMemoryLimit(name: string, bytes: number): MemoryLimit | undefined {
  const v2Root = existsSync("/sys/fs/cgroup/cgroup.controllers")
    ? "/sys/fs/cgroup"
    : existsSync("/sys/fs/cgroup/unified/cgroup.controllers")
      ? "/sys/fs/cgroup/unified"
      : undefined;
  const v2Path = v2Root && ownCgroup("");
  if (v2Root && v2Path !== undefined) {
    const dir = join(v2Root, v2Path, name);
    if (
      existsSync(join(v2Root, v2Path, "memory.max")) ||
      readFileSync(join(v2Root, v2Path, "cgroup.subtree_control"), "utf8").includes("memory")
    ) {
      if (tryCreate(dir)) {
        try {
          writeFileSync(join(dir, "memory.max"), String(bytes));
          writeFileSync(join(dir, "memory.swap.max"), "0");
          return {
            mechanism: "cgroup v2",
            procsFile: join(dir, "cgroup.procs"),
            exceeded: () => (readNumber(join(dir, "memory.events"), "oom_kill") ?? 0) > 0,
            peakBytes: () => readNumber(join(dir, "memory.peak")),
            remove: () => rmdirSync(dir),
          };
        } catch {
          rmdirSync(dir);
        }
      }
    }
  }
  const v1Path = ownCgroup("memory");
  if (v1Path !== undefined && existsSync("/sys/fs/cgroup/memory")) {
    const dir = join("/sys/fs/cgroup/memory", v1Path, name);
    if (tryCreate(dir)) {
      try {
        writeFileSync(join(dir, "memory.limit_in_bytes"), String(bytes));
        if (existsSync(join(dir, "memory.memsw.limit_in_bytes")))
          writeFileSync(join(dir, "memory.memsw.limit_in_bytes"), String(bytes));
        return {
          mechanism: "cgroup v1",
          procsFile: join(dir, "cgroup.procs"),
          exceeded: () =>
            (readNumber(join(dir, "memory.oom_control"), "oom_kill") ?? 0) > 0 ||
            (readNumber(join(dir, "memory.failcnt")) ?? 0) > 0,
          peakBytes: () => readNumber(join(dir, "memory.max_usage_in_bytes")),
          remove: () => rmdirSync(dir),
        };
      } catch {
        rmdirSync(dir);
      }
    }
  }
  return undefined;
}
