import { createHash } from "node:crypto";
import { createReadStream, existsSync, lstatSync, readdirSync, realpathSync } from "node:fs";
import { join, relative, sep } from "node:path";
import canonicalize from "canonicalize";
import type { Hex } from "viem";

/** One output file. */
export type ManifestEntry = { path: string; size: number; sha256: string };

/** Hex sha256 of a file, streamed. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** Most files a job's outputs may hold; more is a job error (pack them into an archive). */
export const MAX_OUTPUT_FILES = 10_000;

/** The outputs cannot be listed (too many files, a path too long): the job's doing, reported as its error. */
export class OutputsError extends Error {
  override name = "OutputsError";
}

/** Regular files under `dir`, depth-first without recursion (a job can nest folders deeper than a stack). */
function walk(dir: string, found: Set<string>): void {
  const pending = [dir];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    for (const name of readdirSync(next)) {
      const path = join(next, name);
      const stat = lstatSync(path);
      if (stat.isSymbolicLink()) continue; // a link could point outside the work directory
      if (stat.isDirectory()) pending.push(path);
      else if (stat.isFile()) add(found, path);
    }
  }
}

function add(found: Set<string>, path: string) {
  found.add(path);
  if (found.size > MAX_OUTPUT_FILES)
    throw new OutputsError(`the outputs hold more than ${MAX_OUTPUT_FILES} files; pack them into an archive`);
}

/**
 * Lists a job's outputs as `{path, size, sha256}`, sorted by path. Each output is a file or, with a
 * trailing slash, a directory taken whole. Symbolic links are skipped, and so is an output whose
 * path passes through one (`ln -s / root` then `root/etc/shadow`): the job wrote them, and they could
 * point at the node's own files.
 * @throws OutputsError when the outputs cannot be listed (more than {@link MAX_OUTPUT_FILES} files, paths too long).
 */
export async function buildManifest(workDir: string, outputs: string[]): Promise<ManifestEntry[]> {
  const root = realpathSync(workDir);
  const insideWorkDir = (path: string) => realpathSync(path).startsWith(root + sep);
  const files = new Set<string>();
  try {
    for (const output of outputs) {
      const path = join(workDir, output);
      if (!existsSync(path) || lstatSync(path).isSymbolicLink() || !insideWorkDir(path)) continue;
      if (lstatSync(path).isDirectory()) walk(path, files);
      else if (lstatSync(path).isFile()) add(files, path);
    }
  } catch (error) {
    if (error instanceof OutputsError) throw error;
    // ENAMETOOLONG, ELOOP and the like: whatever the job built, it is the job's to fix.
    throw new OutputsError(`the outputs could not be listed: ${(error as Error).message}`);
  }
  const entries: ManifestEntry[] = [];
  for (const file of [...files].sort()) {
    entries.push({
      path: relative(workDir, file).split(sep).join("/"),
      size: lstatSync(file).size,
      sha256: await sha256File(file),
    });
  }
  return entries;
}

/**
 * Where the node writes its own report of a run (exit status, logs with timings). It is listed in the
 * manifest so the client can download it, but it is not part of the job's result: it differs from run
 * to run, and a validator's re-execution must be able to reproduce the result exactly.
 */
export const NODE_REPORT_DIR = ".plasma";

/** The entries that make up the job's result: every output except the node's report. */
export function resultEntries(entries: ManifestEntry[]): ManifestEntry[] {
  return entries.filter((e) => !e.path.startsWith(`${NODE_REPORT_DIR}/`));
}

/** The result hash that goes on chain: sha256 of the result entries' canonical JSON (RFC 8785). */
export function resultHash(entries: ManifestEntry[]): Hex {
  return hashManifest(resultEntries(entries));
}

/** sha256 of a manifest's canonical JSON (RFC 8785). */
export function hashManifest(entries: ManifestEntry[]): Hex {
  return `0x${createHash("sha256")
    .update(canonicalize(entries) ?? "[]")
    .digest("hex")}`;
}
