import { createHash, randomUUID } from "node:crypto";
import { copyFileSync, createWriteStream, existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";

/** Why a streamed file was not stored: it grew past its limit, or its sha256 is not the one expected. */
export class ArtifactRejectedError extends Error {
  override name = "ArtifactRejectedError";
  readonly reason: "too-large" | "sha256-mismatch";
  constructor(reason: "too-large" | "sha256-mismatch", message: string) {
    super(message);
    this.reason = reason;
  }
}

/** A content-addressed file store: every file lives under its sha256, written once, atomically. */
export type ArtifactStore = ReturnType<typeof createArtifactStore>;

export function createArtifactStore(root: string) {
  mkdirSync(root, { recursive: true });
  const pathOf = (sha256: string) => {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`not a sha256: ${sha256}`);
    return join(root, sha256.slice(0, 2), sha256);
  };
  const place = (sha256: string, write: (temporary: string) => void) => {
    const path = pathOf(sha256);
    if (existsSync(path)) return sha256;
    mkdirSync(join(root, sha256.slice(0, 2)), { recursive: true });
    const temporary = join(root, `.tmp-${randomUUID()}`);
    write(temporary);
    renameSync(temporary, path);
    return sha256;
  };
  return {
    pathOf,
    has: (sha256: string) => existsSync(pathOf(sha256)),
    /** Stores a file whose sha256 is already known (computed while building the manifest). */
    putFile(file: string, sha256: string): string {
      return place(sha256, (temporary) => copyFileSync(file, temporary));
    },
    /**
     * Stores a stream piece by piece (never whole in memory), hashing it on the way; the file enters the
     * store only if it is at most `maxBytes` long and, when `sha256` is given, has that hash.
     * @returns The file's sha256 and size.
     * @throws ArtifactRejectedError when it is too long or not the expected file; the stream's own error
     * when it breaks (the client went away). Nothing is left behind either way.
     */
    async putStream(
      source: NodeJS.ReadableStream,
      o: { maxBytes: number; sha256?: string },
    ): Promise<{ sha256: string; size: number }> {
      const hash = createHash("sha256");
      let size = 0;
      const meter = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          size += chunk.length;
          if (size > o.maxBytes)
            return done(new ArtifactRejectedError("too-large", `it is longer than ${o.maxBytes} bytes`));
          hash.update(chunk);
          done(null, chunk);
        },
      });
      const temporary = join(root, `.tmp-${randomUUID()}`);
      try {
        await pipeline(source, meter, createWriteStream(temporary, { flags: "wx" }));
        const sha256 = hash.digest("hex");
        if (o.sha256 !== undefined && sha256 !== o.sha256)
          throw new ArtifactRejectedError("sha256-mismatch", `its sha256 is ${sha256}, not ${o.sha256}`);
        const path = pathOf(sha256);
        if (existsSync(path)) rmSync(temporary);
        else {
          mkdirSync(join(root, sha256.slice(0, 2)), { recursive: true });
          renameSync(temporary, path);
        }
        return { sha256, size };
      } catch (error) {
        rmSync(temporary, { force: true });
        throw error;
      }
    },
  };
}
