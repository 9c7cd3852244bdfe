import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { PlasmaError } from "../errors/base.ts";

const SETPRIV = "/usr/bin/setpriv";

/** A running anvil node. */
export type Anvil = {
  rpcUrl: string;
  wsUrl: string;
  port: number;
  process: ChildProcess;
  /** Stops the node and waits for it to exit. */
  stop(): Promise<void>;
};

/** anvil could not start. */
export class AnvilStartError extends PlasmaError {
  override name = "AnvilStartError";
  constructor(reason: string, hint: string) {
    super(`The local chain (anvil) did not start: ${reason}`, { metaMessages: [hint] });
  }
}

/** Path of the anvil binary shipped by the npm package `@foundry-rs/anvil` for this platform. */
export function anvilBinary(): string {
  const arch = { x64: "amd64", arm64: "arm64" }[process.arch as string];
  const platformPackage = `@foundry-rs/anvil-${process.platform}-${arch}/package.json`;
  try {
    return join(dirname(createRequire(import.meta.url).resolve(platformPackage)), "bin", "anvil");
  } catch {
    throw new AnvilStartError(
      `no anvil binary for ${process.platform}-${process.arch}`,
      "Run `npm install` in the project root; anvil ships for Linux and macOS on x64 and arm64.",
    );
  }
}

/**
 * Starts anvil and resolves once it listens.
 * @param options `port` 0 (the default) lets the OS choose a free port; `blockTime` in seconds
 *   switches from instant mining to interval mining.
 * @example const anvil = await startAnvil(); … await anvil.stop();
 */
export async function startAnvil(
  options: { port?: number; chainId?: number; blockTime?: number } = {},
): Promise<Anvil> {
  const args = [
    "--host",
    "127.0.0.1",
    "--port",
    String(options.port ?? 0),
    "--chain-id",
    String(options.chainId ?? 31337),
  ];
  if (options.blockTime) args.push("--block-time", String(options.blockTime));
  // anvil must not outlive us: on Linux the kernel sends it SIGTERM when we die, even by SIGKILL
  // (setpriv --pdeathsig); on any exit Node still runs, we kill it ourselves.
  const [command, commandArgs] = existsSync(SETPRIV)
    ? [SETPRIV, ["--pdeathsig", "SIGTERM", anvilBinary(), ...args]]
    : [anvilBinary(), args];
  const child = spawn(command, commandArgs, { stdio: ["ignore", "pipe", "pipe"] });
  const killOnExit = () => child.kill("SIGTERM");
  process.once("exit", killOnExit);
  const exited = new Promise<void>((resolve) =>
    child.once("exit", () => {
      process.off("exit", killOnExit);
      resolve();
    }),
  );
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on("line", (line) => {
      const match = /Listening on [\d.]+:(\d+)/.exec(line);
      if (match) resolve(Number(match[1]));
    });
    child.once("error", (error) =>
      reject(new AnvilStartError(error.message, "Run `npm install` in the project root.")),
    );
    child.once("exit", (code) => {
      const inUse = /address already in use|Address in use/i.test(stderr);
      reject(
        new AnvilStartError(
          inUse ? `port ${options.port} is already in use` : `anvil exited with code ${code}: ${stderr.trim()}`,
          inUse
            ? "Is another `plasma dev` running? Stop it, or pick another port with --port."
            : "See the message above.",
        ),
      );
    });
  });
  // Keep draining stdout so anvil never blocks on a full pipe.
  child.stdout?.resume();
  return {
    rpcUrl: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}`,
    port,
    process: child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
