// The Solidity step of `npm test` must fail when a Solidity test fails: forge's npm wrapper swallows the
// exit code, so scripts/forge.ts runs the binary itself. This plants a failing test in a throwaway
// project (same compiler wrapper) and checks the exit code, and that a passing one still exits 0.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";

const contracts = join(dirname(fileURLToPath(import.meta.url)), "..");
const forgeScript = join(contracts, "scripts", "forge.ts");
const projects: string[] = [];
after(() => {
  for (const dir of projects) rmSync(dir, { recursive: true, force: true });
});

function project(testBody: string): string {
  const dir = mkdtempSync(join(tmpdir(), "plasma-forge-"));
  projects.push(dir);
  mkdirSync(join(dir, "src"));
  mkdirSync(join(dir, "test"));
  writeFileSync(
    join(dir, "foundry.toml"),
    `[profile.default]\nsrc = "src"\ntest = "test"\nsolc = "${join(contracts, "scripts", "solc.cjs")}"\noffline = true\n`,
  );
  writeFileSync(
    join(dir, "test", "Planted.t.sol"),
    `// SPDX-License-Identifier: MIT\npragma solidity ^0.8.30;\ncontract PlantedTest {\n  function test_planted() public pure {\n    ${testBody}\n  }\n}\n`,
  );
  return dir;
}

const runForge = (cwd: string) =>
  spawnSync(process.execPath, [forgeScript, "test"], { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });

test("a failing Solidity test makes the forge step exit non-zero", () => {
  const result = runForge(project('require(1 + 1 == 3, "planted failure");'));
  assert.notEqual(result.status, 0, `forge exited 0 on a failing test:\n${result.stdout}${result.stderr}`);
  assert.match(result.stdout, /planted failure/);
});

test("a passing Solidity test exits 0", () => {
  const result = runForge(project("require(1 + 1 == 2);"));
  assert.equal(result.status, 0, result.stdout + result.stderr);
  assert.match(result.stdout, /1 passed/);
});
