// `npm test`: lint, types, contract artifacts, Solidity tests (forge, quick profile), then the
// TypeScript tests (node:test) against real anvil nodes and a Docker-compatible engine (the one at
// DOCKER_HOST, else a Podman engine started for the run and stopped after it, also on failure or
// Ctrl-C). Stops at the first failing step. `--engine-only` starts and stops the engine alone.
import { type ChildProcess, spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { engineForTests, type TestEngine } from "./engine/engineForTests.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name: string) => join(root, "node_modules", ".bin", name);

const steps: { name: string; command: string; args: string[]; cwd?: string; needsEngine?: true }[] = [
  { name: "lint and format (Biome)", command: bin("biome"), args: ["check", "."] },
  { name: "types (tsc --noEmit)", command: bin("tsc"), args: ["-p", "."] },
  { name: "web app types (tsc, DOM)", command: bin("tsc"), args: ["-p", "apps/web"] },
  {
    name: "contract artifacts are fresh and deterministic",
    command: process.execPath,
    args: ["packages/contracts/scripts/build.ts", "--check"],
  },
  {
    name: "Solidity tests (forge, quick profile)",
    // Not the npm wrapper (node_modules/.bin/forge): it exits 0 whatever forge returns.
    command: process.execPath,
    args: ["scripts/forge.ts", "test"],
    cwd: join(root, "packages/contracts"),
  },
  {
    name: "TypeScript tests (node:test, real anvil)",
    needsEngine: true,
    command: process.execPath,
    args: [
      "--test",
      "--test-concurrency=2",
      "packages/*/test/**/*.test.ts",
      "apps/*/test/**/*.test.ts",
      "scripts/test/*.test.ts",
    ],
  },
];

let engine: TestEngine | undefined;
let running: ChildProcess | undefined;

/** Stops the engine if this run started it, then exits: every way out of the runner goes through here. */
async function finish(code: number): Promise<never> {
  running?.kill("SIGTERM");
  await engine?.stop();
  process.exit(code);
}
for (const [signal, code] of [
  ["SIGINT", 130],
  ["SIGTERM", 143],
] as const)
  process.once(signal, () => {
    console.error(`\n✖ ${signal}: stopping`);
    void finish(code);
  });

/** Finds or starts the engine the Docker runtime's tests use, and hands its DOCKER_HOST to the test processes. */
async function startEngine(): Promise<void> {
  console.log("\n▶ Docker-compatible engine for the Docker runtime's tests");
  const started = performance.now();
  engine = await engineForTests();
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if ("unavailable" in engine) {
    console.log(`# none: ${engine.unavailable}\n# the Docker runtime's tests will skip, saying so`);
    return;
  }
  if (engine.dockerHost) process.env.DOCKER_HOST = engine.dockerHost;
  console.log(
    `✔ ${engine.started ? "Podman engine started" : "engine answering"} at ${engine.dockerHost ?? "/var/run/docker.sock"} (${seconds}s)`,
  );
}

if (process.argv.includes("--engine-only")) {
  await startEngine();
  await finish(engine && "unavailable" in engine ? 1 : 0);
}

for (const step of steps) {
  if (step.needsEngine && !engine) await startEngine();
  console.log(`\n▶ ${step.name}`);
  const started = performance.now();
  const child = spawn(step.command, step.args, { cwd: step.cwd ?? root, stdio: "inherit" });
  running = child;
  child.once("error", (error) => console.error(`✖ could not run ${step.command}: ${error.message}`));
  const [status, signal] = await new Promise<[number | null, string | null]>((resolve) =>
    child.once("close", (code, sig) => resolve([code, sig])),
  );
  running = undefined;
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (status !== 0) {
    console.error(`\n✖ ${step.name} failed after ${seconds}s (exit ${status ?? signal})`);
    await finish(status ?? 1);
  }
  console.log(`✔ ${step.name} (${seconds}s)`);
}
await finish(0);
