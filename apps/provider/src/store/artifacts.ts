import { createHash, randomUUID } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

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
    /** Stores bytes; returns their sha256. */
    put(bytes: Uint8Array): string {
      const sha256 = createHash("sha256").update(bytes).digest("hex");
      return place(sha256, (temporary) => writeFileSync(temporary, bytes));
    },
    /** Stores a file whose sha256 is already known (computed while building the manifest). */
    putFile(file: string, sha256: string): string {
      return place(sha256, (temporary) => copyFileSync(file, temporary));
    },
  };
}
