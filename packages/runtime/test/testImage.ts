import { spawn, spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dockerEngine, dockerStatus } from "@plasma/runtime";
import { buildDebianImage, type DebianImageSpec } from "../src/docker/buildDebianImage.ts";
import { loadImageTar } from "../src/docker/loadImageTar.ts";

const BUSYBOX = "/bin/busybox";
const IMAGE = "localhost/plasma-test-busybox:3";

/** Imports a one-binary image (busybox and its applets) through the Engine API: no registry needed. */
async function importTestImage(): Promise<void> {
  const docker = dockerEngine();
  const present = await docker
    .getImage(IMAGE)
    .inspect()
    .then(
      () => true,
      () => false,
    );
  if (present) return;
  const root = mkdtempSync(join(tmpdir(), "plasma-image-"));
  // The image's / must be open to any uid: jobs run as a uid of their own, not root.
  chmodSync(root, 0o755);
  for (const dir of ["bin", "tmp", "work", "proc", "dev"]) mkdirSync(join(root, dir));
  chmodSync(join(root, "tmp"), 0o1777); // as in real images: engines copy it onto the /tmp tmpfs
  copyFileSync(BUSYBOX, join(root, "bin/busybox"));
  for (const applet of [
    "sh",
    "cat",
    "echo",
    "ls",
    "sleep",
    "head",
    "yes",
    "mkdir",
    "id",
    "touch",
    "env",
    "cut",
    "tail",
    "mount",
    "tr",
    "grep",
    "nc",
    "timeout",
    "dd",
    "wc",
  ])
    symlinkSync("busybox", join(root, "bin", applet));
  const tar = spawn("tar", ["-C", root, "-c", "."], { stdio: ["ignore", "pipe", "inherit"] });
  // The Engine API takes the tag inside `repo` on import (Podman ignores a separate `tag`).
  const stream = await docker.importImage(tar.stdout as never, { repo: IMAGE });
  await new Promise<void>((resolve, reject) =>
    docker.modem.followProgress(stream, (error) => (error ? reject(error) : resolve())),
  );
}

/**
 * Whether the Docker runtime tests can run here: a real engine (Docker, or Podman's Docker-compatible
 * API through DOCKER_HOST) and busybox to build the test image. Prints why when they cannot.
 */
export async function testEngine(): Promise<{
  skip: string | false;
  IMAGE: string;
  importTestImage: () => Promise<void>;
}> {
  const engine = await dockerStatus();
  const skip = !engine.available
    ? `${engine.reason}; set DOCKER_HOST to an engine to run them (README, "Runtimes")`
    : !existsSync(BUSYBOX)
      ? `${BUSYBOX} is missing to build the test image (apt-get install busybox-static)`
      : false;
  if (skip) console.log(`# Docker runtime tests skipped: ${skip}`);
  return { skip, IMAGE, importTestImage };
}

/** A real image for real jobs (examples/train-tiny): Debian with Python and NumPy, built here with mmdebstrap. */
export const PYTHON_IMAGE: DebianImageSpec = { name: "plasma-test-python", packages: ["python3", "python3-numpy"] };

/**
 * Builds the Python test image (or reuses the tar cached from an earlier run) and imports it into the
 * engine; prints how long each part took. Where mmdebstrap is missing it says so as a skip reason.
 */
export function pythonTestImage(): { skip: string | false; prepare: () => Promise<string> } {
  const skip =
    spawnSync("sh", ["-c", "command -v mmdebstrap"]).status !== 0
      ? "mmdebstrap is missing to build the Python test image (apt-get install mmdebstrap)"
      : false;
  if (skip) console.log(`# Python image tests skipped: ${skip}`);
  const prepare = async () => {
    const image = await buildDebianImage(PYTHON_IMAGE);
    const loaded = await loadImageTar(dockerEngine(), image.tarPath, image.tag);
    console.log(
      `# ${image.tag}: ${(image.bytes / 1024 ** 2).toFixed(0)} MiB tar, ${image.built ? "built" : "cached"} in ${image.seconds.toFixed(1)}s, ` +
        `${loaded.imported ? `imported in ${loaded.seconds.toFixed(1)}s` : "already in the engine"}`,
    );
    return image.tag;
  };
  return { skip, prepare };
}
