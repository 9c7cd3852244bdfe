import { statSync } from "node:fs";
import { Writable } from "node:stream";
import Docker from "dockerode";
import { allocateJobUser, giveWorkDir } from "../sandbox/jobUser.ts";
import type { RunOptions, RunResult } from "../sandbox/runSandboxed.ts";
import { containerOptions } from "./containerOptions.ts";

/** The Docker runtime cannot run a job here (no engine, or the image is missing and cannot be pulled). */
export class DockerUnavailableError extends Error {
  override name = "DockerUnavailableError";
}

/** Options of {@link runInDocker}: those of the sandbox plus the image and the engine to use. */
export type DockerRunOptions = RunOptions & {
  image: string;
  /** Defaults to the engine at DOCKER_HOST or /var/run/docker.sock. */
  docker?: Docker;
  labels?: Record<string, string>;
};

export type DockerEngine = Docker;

/** Connects to the Docker engine (DOCKER_HOST, or the given socket, or /var/run/docker.sock). */
export function dockerEngine(socketPath?: string): Docker {
  return socketPath ? new Docker({ socketPath }) : new Docker();
}

/** Whether an engine answers, and its version; or why not, in words. */
export async function dockerStatus(
  docker: Docker = dockerEngine(),
): Promise<{ available: true; version: string } | { available: false; reason: string }> {
  try {
    const version = await docker.version();
    return { available: true, version: `${version.Version} (API ${version.ApiVersion})` };
  } catch (error) {
    return { available: false, reason: `no Docker engine answers (${(error as Error).message})` };
  }
}

async function ensureImage(docker: Docker, image: string): Promise<void> {
  try {
    await docker.getImage(image).inspect();
    return;
  } catch {
    // not here: pull it
  }
  try {
    const stream = await docker.pull(image);
    await new Promise<void>((resolve, reject) =>
      docker.modem.followProgress(stream, (error) => (error ? reject(error) : resolve())),
    );
  } catch (error) {
    throw new DockerUnavailableError(
      `The image ${image} is not on this node and could not be pulled: ${(error as Error).message}`,
    );
  }
}

const sink = (write?: (chunk: Buffer) => void) =>
  new Writable({
    write(chunk: Buffer, _encoding, done) {
      write?.(chunk);
      done();
    },
  });

/**
 * Runs a job in a Docker container (see {@link containerOptions} for its isolation) with a wall-clock
 * timeout and a memory limit, streaming its output; the container is removed afterwards.
 * @example const result = await runInDocker({ image: "python:3.12-slim", workDir, command: ["python3", "train.py"], env: {}, network: "none", gpus: [0], timeoutSeconds: 600 });
 */
export async function runInDocker(options: DockerRunOptions): Promise<RunResult> {
  if (options.network === "egress")
    // The engine's bridge network reaches the host's services and its LAN: see egressNetwork.ts for what egress must be.
    throw new DockerUnavailableError(
      "egress is not confined in the Docker runtime (its bridge reaches the host and its network); use the sandbox runtime",
    );
  const docker = options.docker ?? dockerEngine();
  const status = await dockerStatus(docker);
  if (!status.available) throw new DockerUnavailableError(status.reason);
  await ensureImage(docker, options.image);
  // As in the sandbox: on a root node the job is a uid of its own, never root; elsewhere the node's uid.
  const jobUser = allocateJobUser();
  if (jobUser) giveWorkDir(options.workDir, jobUser);
  const owner = jobUser ?? statSync(options.workDir);
  const container = await docker.createContainer(
    containerOptions({ ...options, user: `${owner.uid}:${owner.gid}`, labels: options.labels ?? {} }),
  );
  try {
    const stream = await container.attach({ stream: true, stdout: true, stderr: true });
    const drained = new Promise<void>((resolve) => stream.once("end", resolve));
    docker.modem.demuxStream(stream, sink(options.onStdout), sink(options.onStderr));
    let timedOut = false;
    let aborted = false;
    const kill = () => container.kill().catch(() => undefined); // it may have exited already
    const started = performance.now();
    await container.start();
    const timer = setTimeout(() => {
      timedOut = true;
      void kill();
    }, options.timeoutSeconds * 1000);
    const onAbort = () => {
      aborted = true;
      void kill();
    };
    // A job that fills its work area is stopped, as in the sandbox.
    let diskExceeded = false;
    const diskCheck = options.workArea
      ? setInterval(() => {
          if (options.workArea?.full()) {
            diskExceeded = true;
            void kill();
          }
        }, 1000)
      : undefined;
    options.signal?.addEventListener("abort", onAbort, { once: true });
    if (options.signal?.aborted) onAbort();
    const { StatusCode } = (await container.wait()) as { StatusCode: number };
    const durationMs = performance.now() - started;
    clearTimeout(timer);
    clearInterval(diskCheck);
    options.signal?.removeEventListener("abort", onAbort);
    await drained;
    const state = (await container.inspect()).State;
    // Engines set OOMKilled only when the kernel killed the container's first process; a job's child
    // killed for memory shows as exit 137 (SIGKILL) from the init process instead.
    const killedByKernel = state.OOMKilled || (StatusCode === 137 && !timedOut && !aborted);
    const memoryExceeded = Boolean(options.memoryBytes) && killedByKernel && !timedOut && !aborted && !diskExceeded;
    return {
      exitCode: StatusCode,
      signal: timedOut || aborted || killedByKernel ? "SIGKILL" : null,
      timedOut,
      memoryExceeded,
      diskExceeded: diskExceeded || Boolean(options.workArea?.full()),
      processLimitReached: false,
      aborted,
      durationMs,
      memoryLimit: options.memoryBytes ? "docker (cgroup)" : "none requested",
      peakMemoryBytes: undefined,
    };
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
    jobUser?.release();
  }
}
