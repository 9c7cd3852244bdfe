// After the README's `npx plasma run …` the repository holds ./plasma-results/ (git-ignored job outputs,
// JSON the job wrote however it liked). `npm test`'s lint step must not fail on them: Biome reads .gitignore.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const probe = join(root, "plasma-results", `lint-probe-${process.pid}`);
after(() => rmSync(probe, { recursive: true, force: true }));

test("biome skips git-ignored job results and still checks tracked-looking files", () => {
  mkdirSync(probe, { recursive: true });
  // Valid JSON, formatted nothing like Biome would: a lint failure if Biome looked at it.
  writeFileSync(join(probe, "metrics.json"), '{"loss":0.01065,   "w":[3.0152,\n0.4993]}');
  const biome = join(root, "node_modules", ".bin", "biome");
  const ignored = spawnSync(biome, ["check", "--no-errors-on-unmatched", "plasma-results"], {
    cwd: root,
    encoding: "utf8",
  });
  assert.equal(ignored.status, 0, ignored.stdout + ignored.stderr);
  // The same file outside an ignored folder is a failure: the check above could fail.
  const outside = spawnSync(biome, ["check", "--stdin-file-path=probe.json"], {
    cwd: root,
    encoding: "utf8",
    input: '{"loss":0.01065,   "w":[3.0152,\n0.4993]}',
  });
  assert.notEqual(outside.status, 0, "biome accepted badly formatted JSON: the probe proves nothing");
});
