import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { chmodSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { WorkArea } from "../workArea.ts";
import { bwrapArgs, type SandboxPolicy } from "./bwrapArgs.ts";
import { createEgressNetwork, type EgressNetwork } from "./egressNetwork.ts";
import { createJobCgroup } from "./jobCgroup.ts";
import { allocateJobUser, giveWorkDir } from "./jobUser.ts";
import { seccompFilter } from "./seccomp.ts";

/** The most processes (and threads) a job may have at once, as in the Docker runtime. */
export const DEFAULT_MAX_PROCESSES = 4096;

/** What {@link runSandboxed} needs beyond the sandbox policy. */
export type RunOptions = SandboxPolicy & {
  timeoutSeconds: number;
  /** Memory limit for the whole job, in bytes; undefined for none. */
  memoryBytes?: number | undefined;
  /** Most processes and threads at once; {@link DEFAULT_MAX_PROCESSES} by default. */
  maxProcesses?: number | undefined;
  /** The size-limited area `workDir` lives in: a job that fills it is stopped. */
  workArea?: WorkArea | undefined;
  onStdout?: ((chunk: Buffer) => void) | undefined;
  onStderr?: ((chunk: Buffer) => void) | undefined;
  /** Stops the job early (e.g. the client stopped the lease). */
  signal?: AbortSignal | undefined;
};

/** How a sandboxed job ended. */
export type RunResult = {
  exitCode: number | null;
  /** The signal that killed the job, if one did. */
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  memoryExceeded: boolean;
  /** The job used all of its work area and was stopped. */
  diskExceeded: boolean;
  /** A fork or thread was refused because the job had as many processes as allowed. */
  processLimitReached: boolean;
  aborted: boolean;
  durationMs: number;
  /** How memory was limited (`cgroup v2`, `cgroup v1`, with the limit), or why it was not. */
  memoryLimit: string;
  peakMemoryBytes: number | undefined;
};

/** The sandbox cannot run on this host. */
export class SandboxUnavailableError extends Error {
  override name = "SandboxUnavailableError";
}

export const BWRAP = "/usr/bin/bwrap";
const PRLIMIT = "/usr/bin/prlimit";
const SETPRIV = "/usr/bin/setpriv";
const NSENTER = "/usr/bin/nsenter";
/** How often a running job's work area is checked for being full. */
const DISK_CHECK_MS = 1000;
/** The filter goes to bubblewrap on this descriptor. */
const SECCOMP_FD = 3;

/**
 * The first process of a job: joins the job's cgroups (their procs files are its first arguments, after their
 * count), closes every descriptor but stdio and the seccomp filter's (the node may have inherited some the job
 * must not), then becomes the rest of its arguments. Bash, not sh: only Bash closes descriptors above 9.
 */
const ENTER_JOB = `n=$1; shift
while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 125; shift; n=$((n-1)); done
for fd in /proc/$$/fd/*; do fd=\${fd##*/}; [ "$fd" -gt ${SECCOMP_FD} ] && eval "exec $fd>&-"; done
exec "$@"`;

/** Whether bubblewrap is installed. */
export function sandboxAvailable(): boolean {
  return existsSync(BWRAP);
}

/**
 * Runs a command in a bubblewrap sandbox with a wall-clock timeout and memory, process and disk limits,
 * streaming its output. The job sees only /work (its directory), a private /tmp and the read-only OS; see
 * docs/sandbox.md for everything it can and cannot do, and the hostile-job tests that pin each point.
 *
 * On a root node the job runs as a uid of its own (see jobUser.ts), its first process placed in the job's
 * cgroups before anything else runs: `bash` (joins the cgroups) → `prlimit` (where no pids cgroup limits processes) →
 * `nsenter` (egress jobs: their own network namespace) → `setpriv` (drops to the job's uid, no capabilities)
 * → `bwrap` — each step an exec, all with an empty environment, so no process of the job holds the node's.
 * @example const result = await runSandboxed({ workDir, command: ["python3", "train.py"], env: {}, network: "none", gpus: [], timeoutSeconds: 60 });
 */
export async function runSandboxed(options: RunOptions): Promise<RunResult> {
  if (!sandboxAvailable()) {
    throw new SandboxUnavailableError(
      `bubblewrap is not installed (${BWRAP}); install it with: apt-get install bubblewrap`,
    );
  }
  const maxProcesses = options.maxProcesses ?? DEFAULT_MAX_PROCESSES;
  const user = allocateJobUser();
  const scratch = mkdtempSync(join(tmpdir(), "plasma-sandbox-"));
  chmodSync(scratch, 0o711); // the job's uid must reach its resolv.conf here; it cannot list the folder
  let network: EgressNetwork | undefined;
  const cgroup = createJobCgroup(`plasma-job-${randomUUID()}`, { memoryBytes: options.memoryBytes, maxProcesses });
  try {
    if (options.network === "egress") network = createEgressNetwork(join(scratch, "resolv.conf"));
    if (user) giveWorkDir(options.workDir, user);
    const filter = seccompFilter();
    const bwrap = [
      BWRAP,
      ...bwrapArgs({
        ...options,
        tmpBytes: options.tmpBytes ?? options.memoryBytes,
        resolvConf: network?.resolvConf,
        seccompFd: filter ? SECCOMP_FD : undefined,
      }),
    ];
    // Without a pids cgroup the kernel's per-uid process limit stands in (it cannot say when it was reached).
    const rlimit = cgroup.processLimit.startsWith("not enforced")
      ? [PRLIMIT, `--nproc=${maxProcesses}:${maxProcesses}`, "--"]
      : [];
    const chain = [
      ...rlimit,
      ...(network ? [NSENTER, `--net=${network.namespacePath}`, "--"] : []),
      ...(user
        ? [
            SETPRIV,
            `--reuid=${user.uid}`,
            `--regid=${user.gid}`,
            "--clear-groups",
            "--inh-caps=-all",
            "--bounding-set=-all",
            "--no-new-privs",
            "--",
          ]
        : []),
      ...bwrap,
    ];
    const child = spawn(
      "/bin/bash",
      ["-c", ENTER_JOB, "enter-job", String(cgroup.procsFiles.length), ...cgroup.procsFiles, ...chain],
      {
        stdio: ["ignore", "pipe", "pipe", filter ? "pipe" : "ignore"],
        detached: true,
        env: {},
      },
    );
    if (filter) {
      const seccompPipe = child.stdio[SECCOMP_FD] as NodeJS.WritableStream;
      seccompPipe.on("error", () => undefined); // bwrap failed before reading it: its exit says why
      seccompPipe.end(filter);
    }
    return await supervise(child, options, cgroup);
  } finally {
    cgroup.remove();
    network?.remove();
    user?.release();
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function supervise(
  child: ReturnType<typeof spawn>,
  options: RunOptions,
  cgroup: ReturnType<typeof createJobCgroup>,
): Promise<RunResult> {
  const started = performance.now();
  child.stdout?.on("data", (chunk: Buffer) => options.onStdout?.(chunk));
  child.stderr?.on("data", (chunk: Buffer) => options.onStderr?.(chunk));
  let timedOut = false;
  let aborted = false;
  let diskExceeded = false;
  // Killing the process group takes bwrap down; --die-with-parent and the pid namespace take the job down with it.
  const kill = () => {
    try {
      if (child.pid) process.kill(-child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    kill();
  }, options.timeoutSeconds * 1000);
  const diskCheck = options.workArea
    ? setInterval(() => {
        if (options.workArea?.full()) {
          diskExceeded = true;
          kill();
        }
      }, DISK_CHECK_MS)
    : undefined;
  const onAbort = () => {
    aborted = true;
    kill();
  };
  options.signal?.addEventListener("abort", onAbort, { once: true });
  if (options.signal?.aborted) onAbort();

  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code, sig) => resolve([code, sig]));
  });
  clearTimeout(timer);
  clearInterval(diskCheck);
  options.signal?.removeEventListener("abort", onAbort);
  // A job that filled its disk and then exited by itself (ENOSPC) ran out of disk all the same.
  if (!diskExceeded && options.workArea?.full()) diskExceeded = true;
  // bwrap reports a job killed by a signal as exit 128+n.
  const killedByKernel = signal === "SIGKILL" || exitCode === 137;
  const memoryExceeded = killedByKernel && !timedOut && !aborted && !diskExceeded && cgroup.memoryExceeded();
  return {
    exitCode,
    signal,
    timedOut,
    memoryExceeded,
    diskExceeded,
    processLimitReached: cgroup.processLimitReached(),
    aborted,
    durationMs: performance.now() - started,
    memoryLimit:
      options.memoryBytes && cgroup.memoryLimit.startsWith("cgroup")
        ? `${formatGiB(options.memoryBytes)} (${cgroup.memoryLimit})`
        : cgroup.memoryLimit,
    peakMemoryBytes: cgroup.peakMemoryBytes(),
  };
}

const formatGiB = (bytes: number) =>
  bytes >= 1024 ** 3
    ? `${Number((bytes / 1024 ** 3).toFixed(2))} GiB`
    : `${Number((bytes / 1024 ** 2).toFixed(1))} MiB`;
