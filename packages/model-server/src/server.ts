// The model server's entry point:
//   node server.ts --model FILE.onnx --socket PATH    (or PLASMA_MODEL / PLASMA_SERVE_SOCKET)
// Loads the model, listens on a Unix domain socket (the sandbox has no network; the provider's
// gateway connects to the socket), prints one JSON line when ready, and exits 0 on SIGTERM/SIGINT.
//
// Runs inside the provider's sandbox, where only node, this directory and onnxruntime-node (with
// onnxruntime-common) in ../node_modules exist: this file and everything it imports may use only
// node builtins, onnxruntime-node and sibling files that obey the same rule.

import { lstat, rm } from "node:fs/promises";
import { createServer } from "node:http";
import { connect } from "node:net";
import { parseArgs } from "node:util";
import { createHandler } from "./app.ts";
import { loadEngine } from "./engine.ts";

const USAGE = "usage: node server.ts --model FILE.onnx --socket PATH (or set PLASMA_MODEL and PLASMA_SERVE_SOCKET)";

function fail(message: string, code = 1): never {
  process.stderr.write(`model-server: ${message}\n`);
  process.exit(code);
}

function options(): { model: string; socket: string } {
  let values: { model?: string; socket?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: { model: { type: "string" }, socket: { type: "string" }, help: { type: "boolean", short: "h" } },
      strict: true,
    }));
  } catch (error) {
    fail(`${(error as Error).message}\n${USAGE}`, 2);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const model = values.model ?? process.env.PLASMA_MODEL;
  const socket = values.socket ?? process.env.PLASMA_SERVE_SOCKET;
  if (!model) fail(`no model file: pass --model FILE.onnx or set PLASMA_MODEL\n${USAGE}`, 2);
  if (!socket) fail(`no socket path: pass --socket PATH or set PLASMA_SERVE_SOCKET\n${USAGE}`, 2);
  return { model, socket };
}

/** Removes a socket file left by a server that died; refuses a live socket or a file of another kind. */
async function clearStaleSocket(path: string): Promise<void> {
  let stats: Awaited<ReturnType<typeof lstat>>;
  try {
    stats = await lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  if (!stats.isSocket()) throw new Error(`${path} exists and is not a socket: choose another --socket path`);
  const live = await new Promise<boolean>((resolve) => {
    const probe = connect(path);
    probe.once("connect", () => {
      probe.destroy();
      resolve(true);
    });
    probe.once("error", () => resolve(false));
  });
  if (live) throw new Error(`another server is listening on ${path}: stop it or choose another --socket path`);
  await rm(path, { force: true });
}

async function main(): Promise<void> {
  const { model, socket } = options();
  let engine: Awaited<ReturnType<typeof loadEngine>>;
  try {
    engine = await loadEngine(model);
  } catch (error) {
    fail(`cannot load the model: ${(error as Error).message}`);
  }
  try {
    await clearStaleSocket(socket);
  } catch (error) {
    fail((error as Error).message);
  }

  const log = (line: string) => process.stderr.write(`model-server: ${line}\n`);
  const server = createServer(createHandler(engine, log));
  server.on("error", (error) => fail(`cannot listen on ${socket}: ${error.message}`));
  server.listen(socket, () => {
    process.stdout.write(
      `${JSON.stringify({ ready: true, model: engine.modelId, sha256: engine.sha256, socket, pid: process.pid })}\n`,
    );
  });

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    server.close();
    server.closeAllConnections();
    await rm(socket, { force: true }).catch(() => {});
    await engine.session.release().catch(() => {});
    process.exit(0);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

await main();
