import assert from "node:assert/strict";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { ManifestEntry } from "@plasma/runtime";
import { compareOutputs, unsafePathReason } from "../../src/compare/index.ts";
import { npy, outputs, tolerance } from "./fixtures.ts";

describe("manifest paths from other parties", () => {
  it("names why a path is unsafe", () => {
    assert.equal(unsafePathReason("out/w.npy"), undefined);
    assert.equal(unsafePathReason("out/..w.npy"), undefined);
    assert.equal(unsafePathReason("/etc/passwd"), "the path is absolute");
    assert.equal(unsafePathReason("C:/Windows/win.ini"), "the path is absolute");
    assert.equal(unsafePathReason("../secret.npy"), "the path contains a '..' segment");
    assert.equal(unsafePathReason("out/../../secret.npy"), "the path contains a '..' segment");
    assert.equal(unsafePathReason("out\\..\\secret"), "the path contains a backslash");
    assert.equal(unsafePathReason("out//w.npy"), "the path has an empty or '.' segment");
    assert.equal(unsafePathReason("./w.npy"), "the path has an empty or '.' segment");
    assert.equal(unsafePathReason("w.npy\0.txt"), "the path contains a NUL byte");
    assert.equal(unsafePathReason(""), "the path is empty");
  });

  for (const mode of ["exact", "tolerance"] as const) {
    it(`refuses hostile paths in ${mode} mode before reading anything`, async () => {
      const spec = mode === "exact" ? ({ mode } as const) : tolerance(1, 1);
      const safe = await outputs({ "w.npy": npy("float32", [1]) });
      const hostile: ManifestEntry[] = ["/etc/passwd", "../../etc/shadow.npy"].map((path) => ({
        path,
        size: 1,
        sha256: "0".repeat(64),
      }));
      // The same hostile entries on both sides, so that only the path check can fail them.
      const manifest = [...safe.manifest, ...hostile];
      const verdict = await compareOutputs(spec, { dir: safe.dir, manifest }, { dir: safe.dir, manifest });
      assert.equal(verdict.match, false);
      assert.deepEqual(
        verdict.files.map((f) => [f.path, f.status, f.reason]),
        [
          ["../../etc/shadow.npy", "malformed", "is refused: the path contains a '..' segment"],
          ["/etc/passwd", "malformed", "is refused: the path is absolute"],
          ["w.npy", "equal", "is identical"],
        ],
      );
    });
  }
});

describe("files unlike their manifest entries", () => {
  it("refuses a symbolic link that leads out of the output directory", async () => {
    const secret = await outputs({ "secret.npy": npy("float32", [42]) });
    const actual = await outputs({ "w.npy": npy("float32", [1]) });
    const expected = await outputs({});
    symlinkSync(join(secret.dir, "secret.npy"), join(expected.dir, "w.npy"));
    const [entry] = secret.manifest;
    assert.ok(entry);
    const verdict = await compareOutputs(
      tolerance(1e6, 1),
      { dir: expected.dir, manifest: [{ ...entry, path: "w.npy" }] },
      actual,
    );
    assert.equal(verdict.files[0]?.status, "malformed");
    assert.equal(
      verdict.summary,
      "mismatch: w.npy is malformed in the expected outputs: it leads outside the output directory",
    );
  });

  it("refuses a file whose bytes are not the ones its manifest commits to", async () => {
    const expected = await outputs({ "w.npy": npy("float32", [1, 2]) });
    const actual = await outputs({ "w.npy": npy("float32", [1, 2.5]) });
    // The provider ships other bytes than the manifest it committed to.
    writeFileSync(join(expected.dir, "w.npy"), npy("float32", [1, 2.5]));
    const verdict = await compareOutputs(tolerance(1, 1), expected, actual);
    assert.equal(verdict.files[0]?.status, "malformed");
    assert.match(
      verdict.summary,
      /is malformed in the expected outputs: its sha256 is [0-9a-f]{12}…, the manifest says [0-9a-f]{12}…$/,
    );

    writeFileSync(join(expected.dir, "w.npy"), npy("float32", [1, 2, 3]));
    const resized = await compareOutputs(tolerance(1, 1), expected, actual);
    assert.match(resized.summary, /is malformed in the expected outputs: it is 140 bytes, the manifest says 136$/);
  });

  it("reports a manifest entry with no file on disk, or a directory in its place", async () => {
    const actual = await outputs({ "w.npy": npy("float32", [1, 2.5]) });
    const expected = await outputs({ "w.npy": npy("float32", [1, 2]) });
    const empty = await outputs({});
    const absent = await compareOutputs(tolerance(1, 1), { ...expected, dir: empty.dir }, actual);
    assert.equal(
      absent.summary,
      "mismatch: w.npy is malformed in the expected outputs: it is in the manifest but not on disk",
    );
    mkdirSync(join(empty.dir, "w.npy"));
    const directory = await compareOutputs(tolerance(1, 1), { ...expected, dir: empty.dir }, actual);
    assert.equal(directory.summary, "mismatch: w.npy is malformed in the expected outputs: it is not a regular file");
  });
});
