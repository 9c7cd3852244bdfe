// Measures completions per second of the model server for max_tokens 16:
//   node packages/model-server/scripts/bench.ts [REQUESTS] [CONCURRENCY...]
// Builds the model into a temporary directory, starts src/server.ts as a child process on a Unix
// socket, warms it up, then sends REQUESTS non-streaming completions at each concurrency level over
// keep-alive connections and prints completions/s and characters/s.
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { Agent } from "node:http";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { buildExampleModel } from "../src/build.ts";
import { postCompletion } from "../src/socketClient.ts";

const [requestsArg = "2000", ...concurrencyArgs] = process.argv.slice(2);
const REQUESTS = Number(requestsArg);
const LEVELS = concurrencyArgs.length > 0 ? concurrencyArgs.map(Number) : [1, 4, 16];
const MAX_TOKENS = 16;

const dir = await mkdtemp(join(tmpdir(), "model-server-bench-"));
const model = join(dir, "model.onnx");
const socket = join(dir, "s.sock");
await buildExampleModel(model);
const server = spawn(
  process.execPath,
  [fileURLToPath(new URL("../src/server.ts", import.meta.url)), "--model", model, "--socket", socket],
  {
    stdio: ["ignore", "pipe", "inherit"],
  },
);
await new Promise<void>((resolve, reject) => {
  createInterface({ input: server.stdout }).once("line", () => resolve());
  server.once("exit", (code) => reject(new Error(`server exited (${code}) before it was ready`)));
});

const complete = (agent: Agent, seed: number) =>
  postCompletion(socket, agent, JSON.stringify({ prompt: "the market ", max_tokens: MAX_TOKENS, seed }));

async function run(concurrency: number, total: number): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) await complete(agent, next++);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return total / seconds;
}

try {
  await run(4, 200);
  console.log(
    `${cpus()[0]?.model ?? "cpu"} (${cpus().length} cores), node ${process.version}, max_tokens ${MAX_TOKENS}`,
  );
  for (const level of LEVELS) {
    const rate = await run(level, REQUESTS);
    console.log(
      `concurrency ${String(level).padStart(2)}: ${rate.toFixed(0)} completions/s, ${(rate * MAX_TOKENS).toFixed(0)} chars/s (${REQUESTS} requests)`,
    );
  }
} finally {
  server.kill("SIGTERM");
  await new Promise((resolve) => server.once("exit", resolve));
  await rm(dir, { recursive: true, force: true });
}
