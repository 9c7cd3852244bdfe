// Starts and stops a local Docker-compatible engine (Podman's API service) for the Docker runtime's
// tests on a host without Docker. Debian's podman, runc and busybox-static; runc, cgroupfs and vfs
// storage, which also work inside containers such as CI machines. Its config, storage, run state and
// working directory all live in one temporary directory, removed when it stops.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { engineRequest, pingEngine } from "./engineRequest.ts";

/** The engine could not start here; the message says what is missing and how to add it. */
export class PodmanEngineError extends Error {
  override name = "PodmanEngineError";
}

export type PodmanEngine = {
  /** What to put in DOCKER_HOST to reach it. */
  dockerHost: string;
  /** Its own temporary directory: config, storage, run state, log (service.log). */
  dir: string;
  pid: number;
  /** Removes its containers, stops the service and deletes its directory. */
  stop: () => Promise<void>;
};

const DIR_PREFIX = "plasma-podman-";
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;

const hasCommand = (name: string) => spawnSync("sh", ["-c", `command -v ${name}`]).status === 0;
const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Mount points under `dir` (vfs storage leaves none when containers are removed; a killed engine may). */
function mountsUnder(dir: string): string[] {
  return readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .map((line) => line.split(" ")[4] ?? "")
    .filter((point) => point.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

function removeEngineDir(dir: string): void {
  for (const point of mountsUnder(dir)) spawnSync("umount", ["-l", point]);
  rmSync(dir, { recursive: true, force: true });
}

/** Removes the directories of earlier engines whose service is gone (a run killed before it stopped them). */
function removeStaleEngineDirs(): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(DIR_PREFIX)) continue;
    const dir = join(tmpdir(), name);
    const pid = Number(existsSync(join(dir, "pid")) ? readFileSync(join(dir, "pid"), "utf8") : Number.NaN);
    if (Number.isInteger(pid) && !isAlive(pid)) removeEngineDir(dir);
  }
}

function writeConfig(dir: string): void {
  for (const sub of ["run", "storage", "tmp", "networks"]) mkdirSync(join(dir, sub));
  writeFileSync(
    join(dir, "containers.conf"),
    [
      "[containers]",
      // Explicit ulimits: some sandboxes refuse raising them, which is podman's default.
      'default_ulimits = ["nofile=1024:1024", "nproc=1000:1000"]',
      "[engine]",
      'runtime = "runc"',
      'cgroup_manager = "cgroupfs"',
      'events_logger = "file"',
      `tmp_dir = "${dir}/tmp"`,
      "[network]",
      `network_config_dir = "${dir}/networks"`,
      "",
    ].join("\n"),
  );
  writeFileSync(
    join(dir, "storage.conf"),
    `[storage]\ndriver = "vfs"\nrunroot = "${dir}/run"\ngraphroot = "${dir}/storage"\n`,
  );
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once("exit", () => resolve()));
}

/** Polls the API until it answers or the service exits; the engine has no readiness signal we can read. */
async function waitUntilReady(dockerHost: string, service: ChildProcess, log: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let gone = false;
  void exited(service).then(() => (gone = true));
  for (;;) {
    if ((await pingEngine(dockerHost)).ok) return;
    if (gone || Date.now() > deadline) {
      const tail = existsSync(log) ? readFileSync(log, "utf8").trim().split("\n").slice(-15).join("\n") : "";
      throw new PodmanEngineError(
        `Podman's API service ${gone ? `exited (${service.exitCode ?? service.signalCode})` : `did not answer within ${READY_TIMEOUT_MS / 1000}s`}; it said:\n${tail}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Starts Podman's Docker-compatible API service in a temporary directory of its own and resolves once
 * it answers.
 * @returns the engine: its DOCKER_HOST, directory and `stop()`.
 * @throws PodmanEngineError when podman, runc or busybox is missing, or the service does not start.
 * @example const engine = await startPodmanEngine(); process.env.DOCKER_HOST = engine.dockerHost; await engine.stop();
 */
export async function startPodmanEngine(): Promise<PodmanEngine> {
  const missing = ["podman", "runc", "busybox"].filter((b) => !hasCommand(b));
  if (missing.length)
    throw new PodmanEngineError(
      `missing ${missing.join(", ")}; install with: apt-get install -y podman runc busybox-static (npm install does it on Debian as root)`,
    );
  removeStaleEngineDirs();
  const dir = mkdtempSync(join(tmpdir(), DIR_PREFIX));
  writeConfig(dir);
  const socket = join(dir, "engine.sock");
  const dockerHost = `unix://${socket}`;
  const log = join(dir, "service.log");
  const output = openSync(log, "a");
  const args = ["system", "service", "--time=0", dockerHost];
  // setpriv --pdeathsig: the service stops with the process that started it, even one killed outright.
  const [command, commandArgs] = hasCommand("setpriv")
    ? ["setpriv", ["--pdeathsig", "TERM", "--", "podman", ...args]]
    : ["podman", args];
  const service = spawn(command, commandArgs, {
    // conmon writes an empty `oom` file into its working directory when a container is killed for
    // memory: it must be this directory, never the caller's (it used to land in the repository root).
    cwd: dir,
    env: {
      ...process.env,
      CONTAINERS_CONF: join(dir, "containers.conf"),
      CONTAINERS_STORAGE_CONF: join(dir, "storage.conf"),
    },
    stdio: ["ignore", output, output],
  });
  if (service.pid === undefined) {
    removeEngineDir(dir);
    throw new PodmanEngineError(`could not start ${command}`);
  }
  const pid = service.pid;
  writeFileSync(join(dir, "pid"), String(pid));

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      if (service.exitCode === null && service.signalCode === null) {
        // Containers first: conmon outlives the service, and a running container keeps mounts here.
        const list = await engineRequest(dockerHost, "GET", "/containers/json?all=true").catch(() => undefined);
        const ids = list?.status === 200 ? (JSON.parse(list.body) as { Id: string }[]).map((c) => c.Id) : [];
        for (const id of ids)
          await engineRequest(dockerHost, "DELETE", `/containers/${id}?force=true&v=true`, 30_000).catch(
            () => undefined,
          );
        service.kill("SIGTERM");
        const killer = setTimeout(() => service.kill("SIGKILL"), STOP_TIMEOUT_MS);
        await exited(service);
        clearTimeout(killer);
      }
      removeEngineDir(dir);
    })());

  try {
    await waitUntilReady(dockerHost, service, log);
  } catch (error) {
    await stop();
    throw error;
  }
  return { dockerHost, dir, pid, stop };
}
