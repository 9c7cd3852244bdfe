import { createReadStream } from "node:fs";
import type Docker from "dockerode";

/**
 * Imports a root filesystem tar as the image `tag` through the Engine API (`/images/create?fromSrc=-`),
 * unless the engine already has that tag: images reach the engine with no registry.
 * @param docker the engine.
 * @param tarPath a tar of the image's root filesystem (e.g. from {@link buildDebianImage}).
 * @param tag `repository:tag`, e.g. `localhost/plasma-python:0123abcd`.
 * @returns whether it was imported now, and how long that took.
 * @example await loadImageTar(dockerEngine(), image.tarPath, image.tag);
 */
export async function loadImageTar(
  docker: Docker,
  tarPath: string,
  tag: string,
): Promise<{ imported: boolean; seconds: number }> {
  const started = performance.now();
  const present = await docker
    .getImage(tag)
    .inspect()
    .then(
      () => true,
      () => false,
    );
  if (present) return { imported: false, seconds: 0 };
  // The Engine API takes the tag inside `repo` on import (Podman ignores a separate `tag`).
  const stream = await docker.importImage(createReadStream(tarPath) as never, { repo: tag });
  await new Promise<void>((resolve, reject) =>
    docker.modem.followProgress(stream, (error) => (error ? reject(error) : resolve())),
  );
  // Some engines report a failed import in the stream's last message only; the tag proves it worked.
  await docker
    .getImage(tag)
    .inspect()
    .catch((error: Error) => {
      throw new Error(`importing ${tarPath} as ${tag} left no such image: ${error.message}`);
    });
  return { imported: true, seconds: (performance.now() - started) / 1000 };
}
