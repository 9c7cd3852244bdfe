// The sandbox shows the server only node, its own src/ directory and onnxruntime-node (with
// onnxruntime-common): everything server.ts loads must come from those.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { describe, it } from "node:test";
import { SERVER_ENTRY } from "./helpers.ts";

const SPECIFIER =
  /(?:^|[\s;])(?:import|export)\s[^"';]*?from\s*["']([^"']+)["']|import\s*\(\s*["']([^"']+)["']\s*\)|^\s*import\s*["']([^"']+)["']/gm;

function specifiers(file: string): string[] {
  const source = readFileSync(file, "utf8");
  return Array.from(source.matchAll(SPECIFIER), (m) => m[1] ?? m[2] ?? m[3] ?? "");
}

/** Every file the entry loads, with what each imports; throws on a forbidden specifier. */
function importGraph(entry: string): Map<string, string[]> {
  const srcDir = dirname(entry);
  const seen = new Map<string, string[]>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    const found = specifiers(file);
    seen.set(file, found);
    for (const spec of found) {
      if (spec.startsWith("node:") || spec === "onnxruntime-node") continue;
      assert.ok(spec.startsWith("./"), `${relative(srcDir, file)} imports '${spec}', which the sandbox does not have`);
      assert.ok(spec.endsWith(".ts"), `${relative(srcDir, file)} imports '${spec}' without its .ts extension`);
      queue.push(join(dirname(file), spec));
    }
  }
  return seen;
}

describe("the server's imports", () => {
  it("are node builtins, onnxruntime-node and sibling files in src/ that obey the same rule", () => {
    const graph = importGraph(SERVER_ENTRY);
    const files = [...graph.keys()].map((f) => relative(dirname(SERVER_ENTRY), f)).sort();
    assert.ok(files.includes("engine.ts") && files.includes("app.ts"), `found ${files.join(", ")}`);
    assert.ok(!files.includes("build.ts"), "the model build (protobufjs) stays out of the server");
    assert.ok([...graph.values()].flat().includes("onnxruntime-node"));
  });

  it("the checker itself catches a forbidden import", () => {
    assert.deepEqual(specifiers(join(dirname(SERVER_ENTRY), "build.ts")).includes("protobufjs"), true);
    assert.throws(() => importGraph(join(dirname(SERVER_ENTRY), "index.ts")), /sandbox does not have|imports/);
  });
});
