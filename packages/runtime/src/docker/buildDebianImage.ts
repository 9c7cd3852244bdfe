import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { hostDebianSources, hostDebianSuite } from "./debianSources.ts";

/** A container image made of a minimal Debian root filesystem plus some packages. */
export type DebianImageSpec = {
  /** The image's name, without registry or tag: e.g. "plasma-python". */
  name: string;
  /** Debian packages on top of the essential set, e.g. ["python3", "python3-numpy"]. */
  packages: string[];
  /** A Debian codename; defaults to the host's (bookworm on a bookworm host). */
  suite?: string;
};

export type BuiltDebianImage = {
  /** `localhost/<name>:<key>`: the key names the content, so a changed package list is a new tag. */
  tag: string;
  key: string;
  /** The root filesystem as a tar, ready for the Engine API's import. */
  tarPath: string;
  bytes: number;
  /** False when the cached tar was used. */
  built: boolean;
  seconds: number;
};

/** Building an image failed: the message names the cause and what to do. */
export class ImageBuildError extends Error {
  override name = "ImageBuildError";
}

const VARIANT = "essential"; // Essential: yes packages only (no apt inside): the smallest base
const MERGED_USR_HOOK = "/usr/share/mmdebstrap/hooks/merged-usr"; // usr-is-merged instead of usrmerge and its perl
// Documentation and translations: a third of a small image, never read by a job.
const PATH_EXCLUDES = ["/usr/share/doc/*", "/usr/share/man/*", "/usr/share/info/*", "/usr/share/locale/*"];
const PATH_INCLUDES = ["/usr/share/doc/*/copyright"];
/** Bumped when the way an image is built changes, so cached tars of the old way are not reused. */
const RECIPE_VERSION = 1;

/** Where built images are kept between runs: $XDG_CACHE_HOME/plasma/images (~/.cache/plasma/images). */
export function imageCacheDir(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "plasma", "images");
}

function resolvedSuite(spec: DebianImageSpec): string {
  return spec.suite ?? hostDebianSuite() ?? "bookworm";
}

/**
 * The key that names an image's content: a hash of its suite, package list, architecture and recipe.
 * @returns 16 hex digits.
 * @example debianImageKey({ name: "plasma-python", packages: ["python3"] })
 */
export function debianImageKey(spec: DebianImageSpec): string {
  const content = {
    recipe: RECIPE_VERSION,
    suite: resolvedSuite(spec),
    variant: VARIANT,
    packages: [...new Set(spec.packages)].sort(),
    arch: process.arch,
    excludes: PATH_EXCLUDES,
    includes: PATH_INCLUDES,
  };
  return createHash("sha256").update(JSON.stringify(content)).digest("hex").slice(0, 16);
}

/**
 * Builds a Debian root filesystem with mmdebstrap (from the host's own Debian mirror) as a tar in the
 * image cache, or reuses the one cached for the same content. Needs root or unprivileged user
 * namespaces (mmdebstrap's root or unshare mode), and Debian's mmdebstrap.
 * @param spec the image's name and packages.
 * @param options cacheDir (default {@link imageCacheDir}); onLog receives mmdebstrap's progress lines.
 * @returns its tag and tar path, and whether it was built now.
 * @throws ImageBuildError when mmdebstrap is missing or fails (the message ends with its last lines).
 * @example const image = await buildDebianImage({ name: "plasma-python", packages: ["python3", "python3-numpy"] });
 */
export async function buildDebianImage(
  spec: DebianImageSpec,
  options: { cacheDir?: string; onLog?: (line: string) => void } = {},
): Promise<BuiltDebianImage> {
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(spec.name))
    throw new ImageBuildError(`image name "${spec.name}" must be lower-case letters, digits, ".", "_" or "-"`);
  if (spec.packages.length === 0) throw new ImageBuildError(`image ${spec.name} lists no packages`);
  const started = performance.now();
  const key = debianImageKey(spec);
  const tag = `localhost/${spec.name}:${key}`;
  const cacheDir = options.cacheDir ?? imageCacheDir();
  const tarPath = join(cacheDir, `${spec.name}-${key}.tar`);
  const result = (built: boolean): BuiltDebianImage => ({
    tag,
    key,
    tarPath,
    bytes: statSync(tarPath).size,
    built,
    seconds: (performance.now() - started) / 1000,
  });
  if (existsSync(tarPath)) return result(false);

  if (spawnSync("sh", ["-c", "command -v mmdebstrap"]).status !== 0)
    throw new ImageBuildError(
      `mmdebstrap is missing to build the image ${tag}; install it with: apt-get install -y mmdebstrap`,
    );
  mkdirSync(cacheDir, { recursive: true });
  const suite = resolvedSuite(spec);
  const sources = hostDebianSources(suite);
  // A partial file of our own, renamed when complete: an interrupted or concurrent build never
  // leaves a truncated tar under the final name.
  const partial = `${tarPath}.${process.pid}.partial`;
  const args = [
    `--variant=${VARIANT}`,
    `--include=${[...new Set(spec.packages)].sort().join(",")}`,
    ...(existsSync(MERGED_USR_HOOK) ? [`--hook-dir=${MERGED_USR_HOOK}`] : []),
    ...PATH_EXCLUDES.map((p) => `--dpkgopt=path-exclude=${p}`),
    ...PATH_INCLUDES.map((p) => `--dpkgopt=path-include=${p}`),
    "--format=tar",
    suite,
    partial,
    ...sources,
  ];
  const lines: string[] = [];
  const exit = await new Promise<number | string>((resolve) => {
    const child = spawn("mmdebstrap", args, { stdio: ["ignore", "pipe", "pipe"] });
    let pending = "";
    const onData = (chunk: Buffer) => {
      pending += chunk.toString();
      const complete = pending.split("\n");
      pending = complete.pop() ?? "";
      for (const line of complete) {
        lines.push(line);
        options.onLog?.(line);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("error", (error) => resolve(error.message));
    child.on("close", (code, signal) => resolve(code ?? signal ?? "unknown"));
  });
  if (exit !== 0) {
    rmSync(partial, { force: true });
    throw new ImageBuildError(
      `mmdebstrap could not build the image ${tag} (packages ${spec.packages.join(", ")}, suite ${suite}, exit ${exit}); ` +
        `check the package names and that these Debian sources are reachable: ${sources.join("; ")}. ` +
        `mmdebstrap needs root or unprivileged user namespaces. Its last lines:\n${lines.slice(-12).join("\n")}`,
    );
  }
  renameSync(partial, tarPath);
  // Older builds of the same image (another package list or recipe) are never used again.
  for (const name of readdirSync(cacheDir))
    if (new RegExp(`^${spec.name}-[0-9a-f]{16}\\.tar$`).test(name) && join(cacheDir, name) !== tarPath)
      rmSync(join(cacheDir, name), { force: true });
  return result(true);
}
