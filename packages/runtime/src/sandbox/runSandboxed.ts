import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { bwrapArgs, type SandboxPolicy } from "./bwrapArgs.ts";
import { createMemoryLimit } from "./memoryLimit.ts";

/** What {@link runSandboxed} needs beyond the sandbox policy. */
export type RunOptions = SandboxPolicy & {
  timeoutSeconds: number;
  /** Memory limit for the whole job, in bytes; undefined for none. */
  memoryBytes?: number | undefined;
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
  aborted: boolean;
  durationMs: number;
  /** How memory was limited (`cgroup v2`, `cgroup v1`), or why it was not. */
  memoryLimit: string;
  peakMemoryBytes: number | undefined;
};

/** The sandbox cannot run on this host. */
export class SandboxUnavailableError extends Error {
  override name = "SandboxUnavailableError";
}

export const BWRAP = "/usr/bin/bwrap";

/** Whether bubblewrap is installed. */
export function sandboxAvailable(): boolean {
  return existsSync(BWRAP);
}

/**
 * Runs a command in a bubblewrap sandbox with a wall-clock timeout and a memory limit, streaming its
 * output. The job sees only /work (its directory), a private /tmp and the read-only OS.
 * @example const result = await runSandboxed({ workDir, command: ["python3", "train.py"], env: {}, network: "none", gpus: [], timeoutSeconds: 60 });
 */
export async function runSandboxed(options: RunOptions): Promise<RunResult> {
  if (!sandboxAvailable()) {
    throw new SandboxUnavailableError(
      `bubblewrap is not installed (${BWRAP}); install it with: apt-get install bubblewrap`,
    );
  }
  const limit = options.memoryBytes ? createMemoryLimit(`plasma-job-${randomUUID()}`, options.memoryBytes) : undefined;
  const bwrap = [BWRAP, ...bwrapArgs(options)];
  // With a cgroup, a shell joins it first and then becomes bwrap, so every process of the job is inside.
  const [command, args] = limit
    ? ["/bin/sh", ["-c", 'echo $$ > "$0" && exec "$@"', limit.procsFile, ...bwrap]]
    : [bwrap[0] as string, bwrap.slice(1)];
  const started = performance.now();
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], detached: true });
  child.stdout.on("data", (chunk: Buffer) => options.onStdout?.(chunk));
  child.stderr.on("data", (chunk: Buffer) => options.onStderr?.(chunk));

  let timedOut = false;
  let aborted = false;
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
  options.signal?.removeEventListener("abort", onAbort);
  // bwrap reports a job killed by a signal as exit 128+n.
  const killedByKernel = signal === "SIGKILL" || exitCode === 137;
  const memoryExceeded = Boolean(limit && killedByKernel && !timedOut && !aborted && limit.exceeded());
  const peakMemoryBytes = limit?.peakBytes();
  try {
    limit?.remove();
  } catch {
    // the kernel may still be tearing the group down; it is empty and harmless
  }
  return {
    exitCode,
    signal,
    timedOut,
    memoryExceeded,
    aborted,
    durationMs: performance.now() - started,
    memoryLimit: options.memoryBytes
      ? (limit?.mechanism ?? "not enforced: no writable cgroup on this host")
      : "none requested",
    peakMemoryBytes,
  };
}
