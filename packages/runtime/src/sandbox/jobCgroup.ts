import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** The control groups a job runs in: its memory and its number of processes. */
export type JobCgroup = {
  /** Files to write the job's first pid into, so that it and every child is inside. */
  procsFiles: string[];
  /** How memory is limited (`cgroup v2`, `cgroup v1`), or why it is not. */
  memoryLimit: string;
  /** How the number of processes is limited (`pids cgroup v2`, …), or why it is not. */
  processLimit: string;
  /** Whether the kernel killed something in the group for exceeding the memory limit. */
  memoryExceeded(): boolean;
  /** Whether a fork or clone was refused because the job had as many processes as allowed. */
  processLimitReached(): boolean;
  /** Peak memory of the group in bytes, when the kernel reports it. */
  peakMemoryBytes(): number | undefined;
  /** Removes the groups; the kernel may refuse while it still tears a group down, which is harmless. */
  remove(): void;
};

type Controller = "memory" | "pids";

function ownCgroup(controller: Controller | ""): string | undefined {
  for (const line of readFileSync("/proc/self/cgroup", "utf8").split("\n")) {
    const [, controllers, path] = line.split(":");
    if (controllers === undefined || path === undefined) continue;
    if (controller === "" ? controllers === "" : controllers.split(",").includes(controller)) return path;
  }
  return undefined;
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

/** A new directory under this process's own cgroup, with its limit files written; undefined where refused. */
function createGroup(dir: string, limits: Record<string, string>): string | undefined {
  try {
    mkdirSync(dir);
  } catch {
    return undefined;
  }
  try {
    for (const [file, value] of Object.entries(limits)) writeFileSync(join(dir, file), value);
    return dir;
  } catch {
    rmdirSync(dir);
    return undefined;
  }
}

const v2Root = () =>
  existsSync("/sys/fs/cgroup/cgroup.controllers")
    ? "/sys/fs/cgroup"
    : existsSync("/sys/fs/cgroup/unified/cgroup.controllers")
      ? "/sys/fs/cgroup/unified"
      : undefined;

/** Controllers a v2 group created under `parent` gets. */
function v2Controllers(parent: string): Set<string> {
  try {
    return new Set(readFileSync(join(parent, "cgroup.subtree_control"), "utf8").trim().split(/\s+/));
  } catch {
    return new Set();
  }
}

/**
 * Creates the job's cgroups under this process's own: memory limited to `memoryBytes` (no swap) and at most
 * `maxProcesses` processes, with cgroup v2 where it has the controllers, else v1's memory and pids hierarchies.
 * Whatever cannot be created is reported in words (`memoryLimit`, `processLimit`) instead of failing the job.
 */
export function createJobCgroup(
  name: string,
  p: { memoryBytes?: number | undefined; maxProcesses: number },
): JobCgroup {
  const groups: string[] = [];
  const procsFiles: string[] = [];
  let memoryLimit = p.memoryBytes ? "not enforced: no writable memory cgroup on this host" : "none requested";
  let processLimit = "not enforced: no writable pids cgroup on this host";
  let memoryDir: { dir: string; v: 1 | 2 } | undefined;
  let pidsDir: string | undefined;

  const root2 = v2Root();
  const path2 = root2 && ownCgroup("");
  if (root2 && path2 !== undefined) {
    const parent = join(root2, path2);
    const controllers = v2Controllers(parent);
    const limits: Record<string, string> = {};
    if (p.memoryBytes && controllers.has("memory"))
      Object.assign(limits, { "memory.max": String(p.memoryBytes), "memory.swap.max": "0" });
    if (controllers.has("pids")) limits["pids.max"] = String(p.maxProcesses);
    if (Object.keys(limits).length > 0) {
      const dir = createGroup(join(parent, name), limits);
      if (dir) {
        groups.push(dir);
        procsFiles.push(join(dir, "cgroup.procs"));
        if (limits["memory.max"]) {
          memoryDir = { dir, v: 2 };
          memoryLimit = "cgroup v2";
        }
        if (limits["pids.max"]) {
          pidsDir = dir;
          processLimit = "pids cgroup v2";
        }
      }
    }
  }
  const v1 = (controller: Controller, limits: Record<string, string>) => {
    const own = ownCgroup(controller);
    const hierarchy = join("/sys/fs/cgroup", controller);
    if (own === undefined || !existsSync(hierarchy)) return undefined;
    const dir = createGroup(join(hierarchy, own, name), limits);
    if (dir) {
      groups.push(dir);
      procsFiles.push(join(dir, "cgroup.procs"));
    }
    return dir;
  };
  if (p.memoryBytes && !memoryDir) {
    const dir = v1("memory", { "memory.limit_in_bytes": String(p.memoryBytes) });
    if (dir) {
      // Without swap accounting the kernel has no memsw file; the job may then swap, where the host has swap.
      if (existsSync(join(dir, "memory.memsw.limit_in_bytes")))
        writeFileSync(join(dir, "memory.memsw.limit_in_bytes"), String(p.memoryBytes));
      memoryDir = { dir, v: 1 };
      memoryLimit = "cgroup v1";
    }
  }
  if (!pidsDir) {
    const dir = v1("pids", { "pids.max": String(p.maxProcesses) });
    if (dir) {
      pidsDir = dir;
      processLimit = "pids cgroup v1";
    }
  }

  return {
    procsFiles,
    memoryLimit,
    processLimit,
    memoryExceeded() {
      if (!memoryDir) return false;
      const { dir, v } = memoryDir;
      return v === 2
        ? (readNumber(join(dir, "memory.events"), "oom_kill") ?? 0) > 0
        : (readNumber(join(dir, "memory.oom_control"), "oom_kill") ?? 0) > 0 ||
            (readNumber(join(dir, "memory.failcnt")) ?? 0) > 0;
    },
    processLimitReached: () => (pidsDir ? (readNumber(join(pidsDir, "pids.events"), "max") ?? 0) > 0 : false),
    peakMemoryBytes() {
      if (!memoryDir) return undefined;
      return readNumber(join(memoryDir.dir, memoryDir.v === 2 ? "memory.peak" : "memory.max_usage_in_bytes"));
    },
    remove() {
      for (const dir of groups) {
        try {
          rmdirSync(dir);
        } catch {
          // still being torn down by the kernel: empty and harmless
        }
      }
    },
  };
}
