import type { FileHandle } from "node:fs/promises";
import type { ManifestEntry } from "@plasma/runtime";

/**
 * How a job's outputs are checked. The same shape as the job spec's `verification` field, declared here
 * rather than imported so that the sdk can depend on this package.
 */
export type VerificationSpec = { mode: "exact" } | { mode: "tolerance"; atol: number; rtol: number } | { mode: "none" };

/** numpy's isclose parameters: |a − b| ≤ atol + rtol·|b|, b being the expected value. */
export type Tolerance = { atol: number; rtol: number };

/** One side of a comparison: a directory and the manifest of the outputs in it. */
export type OutputSet = { dir: string; manifest: ManifestEntry[] };

export type FileStatus = "equal" | "within-tolerance" | "different" | "missing" | "extra" | "malformed";

/** The element-wise tally of a numeric comparison. */
export type NumericStats = {
  /** Elements (tensor elements or JSON numbers) compared. */
  compared: number;
  outOfTolerance: number;
  /** Largest |a − b| among finite pairs, Infinity where an infinity met another value. */
  maxAbsDiff: number;
  /** Largest |a − b| / |b|; Infinity where b is 0 and a is not. */
  maxRelDiff: number;
};

export type FileVerdict = {
  path: string;
  status: FileStatus;
  /** A predicate on the path, e.g. "differs at 12 of 1000 elements (…)": `${path} ${reason}` reads as a sentence. */
  reason: string;
  /** Present when the file was compared number by number. */
  numeric?: NumericStats;
};

/** The outcome for one file, before its path is attached. */
export type FileOutcome = Omit<FileVerdict, "path">;

export type Verdict = {
  /** True when every file is equal or within tolerance (always true in mode none). */
  match: boolean;
  mode: VerificationSpec["mode"];
  /** One verdict per path of either manifest, sorted by path. */
  files: FileVerdict[];
  /** One line for a CLI. */
  summary: string;
};

/** An output file opened for comparison with what its format's reader made of it. */
export type Opened<T> = { file: FileHandle; content: T };
