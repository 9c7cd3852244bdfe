import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { getJobStatus, getLease, getProvider, type PlasmaClient, readDeployment, watchMarketEvents } from "@plasma/sdk";
import { createTestClient, http } from "viem";

export const BIN = fileURLToPath(new URL("../bin/plasma.mjs", import.meta.url));

export type Run = { code: number; stdout: string; stderr: string };

/** Runs `plasma …` as a subprocess, the way a user does. */
export function plasma(home: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, PLASMA_HOME: home, PLASMA_PRIVATE_KEY: "", ...env } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Runs `plasma … --json` and parses stdout, failing with stderr if the command failed. */
export async function plasmaJson<T = Record<string, unknown>>(
  home: string,
  args: string[],
  env?: Record<string, string>,
): Promise<T> {
  const run = await plasma(home, [...args, "--json"], env);
  if (run.code !== 0) throw new Error(`plasma ${args.join(" ")} exited ${run.code}: ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

export function tempHome(): string {
  return mkdtempSync(join(tmpdir(), "plasma-cli-"));
}

/** A `plasma dev` process. */
export type Dev = { process: ChildProcess; home: string; stdout: string[]; stop(): Promise<number | null> };

/** Starts `plasma dev --port 0` and resolves once it says it is ready. */
export async function startDev(home: string, port = "0", extraArgs: string[] = ["--no-provider"]): Promise<Dev> {
  // --web-port 0: test files run side by side, each devnet with its own web app and API.
  const child = spawn(process.execPath, [BIN, "dev", "--port", port, "--web-port", "0", ...extraArgs], {
    env: { ...process.env, PLASMA_HOME: home },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const stdout: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout }).on("line", (line) => {
      stdout.push(line);
      if (line.includes("Press Ctrl-C to stop")) resolve(); // the banner's last line: all of it was read
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once("exit", (code) => reject(new Error(`plasma dev exited ${code}: ${stderr}`)));
  });
  return {
    process: child,
    home,
    stdout,
    async stop() {
      child.kill("SIGINT");
      return exited;
    },
  };
}

/** Moves the devnet's clock forward (anvil RPC) and mines a block. */
export async function warp(home: string, seconds: number): Promise<void> {
  const deployment = readDeployment(join(home, "deployment.json"));
  const test = createTestClient({ mode: "anvil", transport: http(deployment.rpcUrl) });
  await test.increaseTime({ seconds });
  await test.mine({ blocks: 1 });
}

export function deploymentExists(home: string): boolean {
  return existsSync(join(home, "deployment.json"));
}

/**
 * Starts `plasma provider start` (as provider1, price 3.6 XPL/GPU-h, any free port) with extra flags
 * and resolves once it is ready; rejects with its stderr and exit code if it stops first.
 */
export function startProvider(
  home: string,
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<{ process: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [BIN, "provider", "start", "--port", "0", "--price", "3.6", "--account", "provider1", ...args],
    { env: { ...process.env, PLASMA_HOME: home, PLASMA_LOG_LEVEL: "warn", ...env }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let stderr = "";
  child.stderr.on("data", (c: Buffer) => {
    stderr += c.toString();
  });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).on("line", (line) => {
      const match = /is ready at (\S+)/.exec(line);
      if (match?.[1]) resolve({ process: child, url: match[1] });
    });
    child.once("exit", (code) => reject(Object.assign(new Error(stderr), { code })));
  });
}

/**
 * Starts `plasma run --json ARGS` (without --json when `json` is false) in the background and resolves
 * once its job is running on the provider (lease started on chain, then the provider's own status,
 * asked as the client).
 */
export async function startRun(home: string, client: PlasmaClient, args: string[], { json = true } = {}) {
  const started = new Promise<bigint>((resolve) => {
    const stop = watchMarketEvents(client, {
      onEvent: (e) => {
        if (e.eventName === "LeaseStarted") {
          stop();
          resolve(e.args.leaseId as bigint);
        }
      },
    });
  });
  const child = spawn(process.execPath, [BIN, "run", ...(json ? ["--json"] : []), ...args], {
    env: { ...process.env, PLASMA_HOME: home },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr.on("data", (c: Buffer) => {
    stderr += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const leaseId = await started;
  const endpoint = (await getProvider(client, (await getLease(client, leaseId)).provider)).endpoint;
  for (let i = 0; i < 200; i++) {
    const status = await getJobStatus({ client, endpoint, leaseId }).catch(() => undefined);
    if (status?.state === "running") break;
    await new Promise((r) => setTimeout(r, 50)); // bounded (10 s): the client sends spec and inputs first
  }
  return { child, leaseId, exited, output: () => ({ stdout, stderr }) };
}
