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

function walk(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      const stat = lstatSync(path);
      if (stat.isSymbolicLink()) return []; // a link could point outside the work directory
      return stat.isDirectory() ? walk(path) : stat.isFile() ? [path] : [];
    });
}

/**
 * Lists a job's outputs as `{path, size, sha256}`, sorted by path. Each output is a file or, with a
 * trailing slash, a directory taken whole. Symbolic links are skipped, and so is an output whose
 * path passes through one (`ln -s / root` then `root/etc/shadow`): the job wrote them, and they could
 * point at the node's own files.
 */
export async function buildManifest(workDir: string, outputs: string[]): Promise<ManifestEntry[]> {
  const root = realpathSync(workDir);
  const insideWorkDir = (path: string) => realpathSync(path).startsWith(root + sep);
  const files = new Set<string>();
  for (const output of outputs) {
    const path = join(workDir, output);
    if (!existsSync(path) || lstatSync(path).isSymbolicLink() || !insideWorkDir(path)) continue;
    if (lstatSync(path).isDirectory()) for (const file of walk(path)) files.add(file);
    else if (lstatSync(path).isFile()) files.add(path);
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
