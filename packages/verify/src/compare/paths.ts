import { constants } from "node:fs";
import { type FileHandle, open, realpath } from "node:fs/promises";
import { join, sep } from "node:path";
import { type ManifestEntry, sha256File } from "@plasma/runtime";
import { MalformedError } from "./errors.ts";
import { shortHash } from "./format.ts";

/**
 * Why a manifest path must not be joined to a local directory, or undefined when it may. Manifests come from other
 * parties; `buildManifest` only writes relative, '/'-separated paths of plain segments, so anything else is refused.
 */
export function unsafePathReason(path: string): string | undefined {
  if (path === "") return "the path is empty";
  if (path.includes("\0")) return "the path contains a NUL byte";
  if (path.startsWith("/") || /^[A-Za-z]:/.test(path)) return "the path is absolute";
  if (path.includes("\\")) return "the path contains a backslash";
  const segments = path.split("/");
  if (segments.includes("..")) return "the path contains a '..' segment";
  if (segments.some((segment) => segment === "" || segment === ".")) return "the path has an empty or '.' segment";
  return undefined;
}

/**
 * Opens a manifest entry's file in `dir` for reading. Refuses a path that leads out of `dir` through a symbolic link
 * and anything but a regular file, and checks the size and sha256: the manifest is what the parties committed to,
 * so the bytes compared must be the ones it describes.
 */
export async function openEntry(dir: string, entry: ManifestEntry): Promise<FileHandle> {
  let real: string;
  try {
    real = await realpath(join(dir, entry.path));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT")
      throw new MalformedError("it is in the manifest but not on disk");
    throw error;
  }
  if (!real.startsWith((await realpath(dir)) + sep)) throw new MalformedError("it leads outside the output directory");
  const file = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const stat = await file.stat();
    if (!stat.isFile()) throw new MalformedError("it is not a regular file");
    if (stat.size !== entry.size) throw new MalformedError(`it is ${stat.size} bytes, the manifest says ${entry.size}`);
    const sha256 = await sha256File(real);
    if (sha256 !== entry.sha256) {
      throw new MalformedError(`its sha256 is ${shortHash(sha256)}, the manifest says ${shortHash(entry.sha256)}`);
    }
    return file;
  } catch (error) {
    await file.close();
    throw error;
  }
}
