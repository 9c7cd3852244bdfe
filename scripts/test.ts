// `npm test`: lint, types, contract artifacts, Solidity tests (forge, quick profile), then the
// TypeScript tests (node:test) against real anvil nodes. Stops at the first failing step.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name: string) => join(root, "node_modules", ".bin", name);

const steps: { name: string; command: string; args: string[]; cwd?: string }[] = [
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

for (const step of steps) {
  console.log(`\n▶ ${step.name}`);
  const started = performance.now();
  const result = spawnSync(step.command, step.args, { cwd: step.cwd ?? root, stdio: "inherit" });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (result.status !== 0) {
    console.error(`\n✖ ${step.name} failed after ${seconds}s (exit ${result.status ?? result.signal})`);
    process.exit(result.status ?? 1);
  }
  console.log(`✔ ${step.name} (${seconds}s)`);
}
