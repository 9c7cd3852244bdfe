import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compareOutputs } from "../../src/compare/index.ts";
import { compareFiles, npy, outputs } from "./fixtures.ts";

const exact = { mode: "exact" } as const;

describe("exact mode", () => {
  it("matches identical manifests without reading a file", async () => {
    const expected = await outputs({ "out/a.txt": "hello", "out/w.npy": npy("float32", [1, 2, 3]) });
    // The actual directory is empty: exact mode compares manifests only.
    const actual = { dir: "/nonexistent", manifest: expected.manifest };
    const verdict = await compareOutputs(exact, expected, actual);
    assert.equal(verdict.match, true);
    assert.equal(verdict.mode, "exact");
    assert.deepEqual(
      verdict.files.map((f) => [f.path, f.status]),
      [
        ["out/a.txt", "equal"],
        ["out/w.npy", "equal"],
      ],
    );
    assert.equal(verdict.summary, "match: 2 files, all identical");
  });

  it("names a file whose bytes differ, even by a rounding error", async () => {
    const verdict = await compareFiles(
      exact,
      { "out/w.npy": npy("float32", [1, 2, 3]), "log.txt": "ok" },
      { "out/w.npy": npy("float32", [1, 2, 3.0000002]), "log.txt": "ok" },
    );
    assert.equal(verdict.match, false);
    const file = verdict.files.find((f) => f.path === "out/w.npy");
    assert.equal(file?.status, "different");
    assert.match(
      file?.reason ?? "",
      /^differs byte for byte \(sha256 [0-9a-f]{12}…, 140 bytes where sha256 [0-9a-f]{12}…, 140 bytes was expected\)$/,
    );
    assert.match(verdict.summary, /^mismatch: out\/w\.npy differs byte for byte/);
  });

  it("reports missing and extra files, sorted by path, and counts the other failures in the summary", async () => {
    const verdict = await compareFiles(exact, { "a.txt": "a", "b.txt": "b" }, { "b.txt": "b", "c.txt": "c" });
    assert.equal(verdict.match, false);
    assert.deepEqual(
      verdict.files.map((f) => [f.path, f.status]),
      [
        ["a.txt", "missing"],
        ["b.txt", "equal"],
        ["c.txt", "extra"],
      ],
    );
    assert.equal(
      verdict.summary,
      "mismatch: a.txt is missing: the expected outputs have it, the actual ones do not (and 1 more failing file)",
    );
  });

  it("matches two empty output sets", async () => {
    const verdict = await compareFiles(exact, {}, {});
    assert.equal(verdict.match, true);
    assert.deepEqual(verdict.files, []);
  });

  it("refuses a path listed twice in a manifest", async () => {
    const expected = await outputs({ "a.txt": "a" });
    const [entry] = expected.manifest;
    assert.ok(entry);
    const verdict = await compareOutputs(exact, expected, { dir: expected.dir, manifest: [entry, entry] });
    assert.equal(verdict.match, false);
    assert.equal(verdict.files[0]?.status, "malformed");
    assert.equal(verdict.files[0]?.reason, "is listed 2 times in the actual manifest");
  });
});

describe("mode none", () => {
  it("matches without comparing anything and says so", async () => {
    const verdict = await compareFiles({ mode: "none" }, { "a.txt": "a" }, { "b.txt": "b" });
    assert.deepEqual(verdict, {
      match: true,
      mode: "none",
      files: [],
      summary: "match: verification is disabled for this job (mode none)",
    });
  });
});
