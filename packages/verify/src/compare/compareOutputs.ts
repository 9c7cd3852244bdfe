import type { FileHandle } from "node:fs/promises";
import { extname } from "node:path";
import type { ManifestEntry } from "@plasma/runtime";
import { MalformedError, UnsupportedDtypeError } from "./errors.ts";
import { plural, shortHash } from "./format.ts";
import { compareJson, readJson } from "./json.ts";
import { compareNpy, readNpy } from "./npy.ts";
import { different } from "./outcome.ts";
import { openEntry, unsafePathReason } from "./paths.ts";
import { compareSafetensors, readSafetensors } from "./safetensors.ts";
import { passes, summarize } from "./summary.ts";
import type { FileOutcome, FileVerdict, Opened, OutputSet, Tolerance, Verdict, VerificationSpec } from "./types.ts";

type Side = "expected" | "actual";
type Reader<T> = (file: FileHandle) => Promise<T>;
type Comparer<T> = (expected: Opened<T>, actual: Opened<T>, tolerance: Tolerance) => Promise<FileOutcome> | FileOutcome;

function byPath(manifest: ManifestEntry[]): Map<string, ManifestEntry[]> {
  const entries = new Map<string, ManifestEntry[]>();
  for (const entry of manifest) entries.set(entry.path, [...(entries.get(entry.path) ?? []), entry]);
  return entries;
}

function bytesDiffer(expected: ManifestEntry, actual: ManifestEntry): string {
  const describe = (entry: ManifestEntry) => `sha256 ${shortHash(entry.sha256)}, ${plural(entry.size, "byte")}`;
  return `differs byte for byte (${describe(actual)} where ${describe(expected)} was expected)`;
}

/** A failure while reading one side (or, with no side, while comparing) as the file's outcome, never a throw. */
function failure(error: unknown, side: Side | undefined): FileOutcome {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof UnsupportedDtypeError) return different(`differs byte for byte and ${message}`);
  const reason = !side
    ? `could not be compared: ${message}`
    : error instanceof MalformedError
      ? `is malformed in the ${side} outputs: ${message}`
      : `could not be read from the ${side} outputs: ${message}`;
  return { status: "malformed", reason };
}

/** Opens and parses both sides with `read`, then compares them with `compare`; closes both whatever happens. */
async function compareParsed<T>(
  read: Reader<T>,
  compare: Comparer<T>,
  expected: { dir: string; entry: ManifestEntry },
  actual: { dir: string; entry: ManifestEntry },
  tolerance: Tolerance,
): Promise<FileOutcome> {
  const opened: FileHandle[] = [];
  let side: Side | undefined;
  const openSide = async (which: Side, { dir, entry }: { dir: string; entry: ManifestEntry }): Promise<Opened<T>> => {
    side = which;
    const file = await openEntry(dir, entry);
    opened.push(file);
    return { file, content: await read(file) };
  };
  try {
    const b = await openSide("expected", expected);
    const a = await openSide("actual", actual);
    side = undefined;
    return await compare(b, a, tolerance);
  } catch (error) {
    return failure(error, side);
  } finally {
    await Promise.all(opened.map((file) => file.close()));
  }
}

/** Compares two differing files by their format, chosen by extension; other formats must be byte-identical. */
function compareWithTolerance(
  expected: { dir: string; entry: ManifestEntry },
  actual: { dir: string; entry: ManifestEntry },
  tolerance: Tolerance,
): Promise<FileOutcome> | FileOutcome {
  switch (extname(expected.entry.path).toLowerCase()) {
    case ".npy":
      return compareParsed(readNpy, compareNpy, expected, actual, tolerance);
    case ".safetensors":
      return compareParsed(readSafetensors, compareSafetensors, expected, actual, tolerance);
    case ".json":
      return compareParsed(
        readJson,
        (b, a) => compareJson(b.content, a.content, tolerance),
        expected,
        actual,
        tolerance,
      );
    default:
      return different(
        `${bytesDiffer(expected.entry, actual.entry)}; only .npy, .safetensors and .json files are compared with tolerance`,
      );
  }
}

async function compareEntry(
  spec: Exclude<VerificationSpec, { mode: "none" }>,
  path: string,
  expected: { set: OutputSet; entries: ManifestEntry[] },
  actual: { set: OutputSet; entries: ManifestEntry[] },
): Promise<FileOutcome> {
  const unsafe = unsafePathReason(path);
  if (unsafe) return { status: "malformed", reason: `is refused: ${unsafe}` };
  for (const [side, { entries }] of [
    ["expected", expected],
    ["actual", actual],
  ] as const) {
    if (entries.length > 1)
      return { status: "malformed", reason: `is listed ${entries.length} times in the ${side} manifest` };
  }
  const [b] = expected.entries;
  const [a] = actual.entries;
  if (!a) return { status: "missing", reason: "is missing: the expected outputs have it, the actual ones do not" };
  if (!b) return { status: "extra", reason: "is extra: the actual outputs have it, the expected ones do not" };
  if (a.sha256 === b.sha256 && a.size === b.size) return { status: "equal", reason: "is identical" };
  if (spec.mode === "exact") return different(bytesDiffer(b, a));
  return compareWithTolerance({ dir: expected.set.dir, entry: b }, { dir: actual.set.dir, entry: a }, spec);
}

/**
 * Compares a job's outputs as a validator re-executed them (`actual`) with the provider's (`expected`), as the job's
 * verification spec says:
 * - exact: the manifests must be identical (same paths, sizes and sha256); no file is read.
 * - tolerance: files with the same sha256 are equal; others are compared by format (.npy, .safetensors, .json) with
 *   numpy's isclose, |a − b| ≤ atol + rtol·|b|, b being the expected value (integers and booleans by the same
 *   rule); any other file must be identical.
 * - none: always a match, nothing compared.
 * Problems with files (hostile paths, malformed or truncated files, files unlike their manifest entries) come back
 * as file verdicts; this only throws for a tolerance that is not a pair of finite non-negative numbers.
 */
export async function compareOutputs(spec: VerificationSpec, expected: OutputSet, actual: OutputSet): Promise<Verdict> {
  if (spec.mode === "none") {
    return {
      match: true,
      mode: "none",
      files: [],
      summary: "match: verification is disabled for this job (mode none)",
    };
  }
  if (spec.mode === "tolerance" && ![spec.atol, spec.rtol].every((x) => Number.isFinite(x) && x >= 0)) {
    throw new RangeError(`atol and rtol must be finite and non-negative, got atol=${spec.atol} rtol=${spec.rtol}`);
  }
  const expectedEntries = byPath(expected.manifest);
  const actualEntries = byPath(actual.manifest);
  const paths = [...new Set([...expectedEntries.keys(), ...actualEntries.keys()])].sort();
  const files: FileVerdict[] = [];
  // One file at a time, so memory stays bounded by one comparison.
  for (const path of paths) {
    const outcome = await compareEntry(
      spec,
      path,
      { set: expected, entries: expectedEntries.get(path) ?? [] },
      { set: actual, entries: actualEntries.get(path) ?? [] },
    );
    files.push({ path, ...outcome });
  }
  return { match: files.every(passes), mode: spec.mode, files, summary: summarize(spec, files) };
}
