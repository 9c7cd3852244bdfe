// Test helpers: start the server as a child process, wait for its ready line, and make HTTP
// requests over its Unix socket.

import { type ChildProcess, spawn } from "node:child_process";
import { request as httpRequest } from "node:http";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export const SERVER_ENTRY = fileURLToPath(new URL("../src/server.ts", import.meta.url));

export type Ready = { ready: true; model: string; sha256: string; socket: string; pid: number };

export type RunningServer = {
  child: ChildProcess;
  ready: Ready;
  /** Everything the server wrote to stderr so far. */
  stderr: () => string;
  /** The exit of the child (code and signal), whenever it comes. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
};

/**
 * Spawns `node [command...] [args]` and resolves when it prints its ready line; rejects if it exits
 * first (with its stderr) or prints nothing within `timeoutMs`.
 */
export function startServer(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; command?: string[]; timeoutMs?: number } = {},
): Promise<RunningServer> {
  const [file = process.execPath, ...prefix] = options.command ?? [process.execPath, SERVER_ENTRY];
  const child = spawn(file, [...prefix, ...args], {
    env: options.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`server printed no ready line within ${options.timeoutMs ?? 30_000} ms; stderr: ${stderr}`));
    }, options.timeoutMs ?? 30_000);
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.once("line", (line) => {
      clearTimeout(timer);
      try {
        resolve({ child, ready: JSON.parse(line) as Ready, stderr: () => stderr, exited });
      } catch {
        reject(new Error(`first stdout line is not the JSON ready line: ${line}`));
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code ?? signal}) before it was ready; stderr: ${stderr}`));
    });
  });
}

/** Runs the server to completion (for runs that are expected to fail), returning its exit and output. */
export function runServerToExit(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [SERVER_ENTRY, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (c: string) => {
    stdout += c;
  });
  child.stderr.setEncoding("utf8").on("data", (c: string) => {
    stderr += c;
  });
  return new Promise((resolve) => child.once("close", (code) => resolve({ code, stdout, stderr })));
}

/** Sends SIGTERM and waits for the exit. */
export async function stopServer(server: RunningServer | undefined): Promise<void> {
  if (!server || server.child.exitCode !== null || server.child.signalCode !== null) return;
  server.child.kill("SIGTERM");
  await server.exited;
}

export type Response = { status: number; headers: Record<string, string | string[] | undefined>; text: string };

/** One HTTP request over a Unix socket. A string body is sent as is; anything else as JSON. */
export function request(socketPath: string, method: string, path: string, body?: unknown): Promise<Response> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
    const req = httpRequest(
      {
        socketPath,
        method,
        path,
        headers: payload === undefined ? {} : { "content-type": "application/json" },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          text += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

/** The JSON body of a response. */
export function json<T = Record<string, unknown>>(response: Response): T {
  return JSON.parse(response.text) as T;
}

/** The `data:` payloads of a text/event-stream body, in order. */
export function sseData(text: string): string[] {
  const events = text.split("\n\n").filter((block) => block.length > 0);
  return events.map((block) => {
    if (!block.startsWith("data: ")) throw new Error(`not an SSE data event: ${JSON.stringify(block)}`);
    return block.slice("data: ".length);
  });
}
