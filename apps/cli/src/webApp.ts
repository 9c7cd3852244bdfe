import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** The built web app, when there is one (`npm install` builds it; `npm run build:web` rebuilds it). */
export function webAppDir(): string | undefined {
  const dist = join(dirname(createRequire(import.meta.url).resolve("@plasma/web/package.json")), "dist");
  return existsSync(join(dist, "index.html")) ? dist : undefined;
}
