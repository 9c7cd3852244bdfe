// @plasma/model-server: the example model endpoint a Plasma provider runs in its sandbox. This entry
// is for the host side (the build and the provider); the server itself is src/server.ts.

import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export { buildExampleModel, exampleModelBytes } from "./build.ts";
export {
  INPUT_CONTEXT,
  INPUT_TEMPERATURE,
  METADATA_MODEL_ID,
  METADATA_VOCAB,
  MODEL_ID,
  OUTPUT_PROBS,
} from "./modelFormat.ts";
export { readMetadataProps } from "./onnxMetadata.ts";
export { DEFAULT_MAX_TOKENS, MAX_MAX_TOKENS, MAX_TEMPERATURE } from "./requests.ts";
export { postCompletion } from "./socketClient.ts";
export { countTrigrams, logProbabilityTable, rowProbabilities, SMOOTHING_K } from "./trigram.ts";
export { VOCAB } from "./vocab.ts";

/** The npm packages the server loads at run time, outside its own directory. */
const RUNTIME_PACKAGES = ["onnxruntime-node", "onnxruntime-common"];

/** The directory of the package that `resolvedFile` (a file inside it) belongs to. */
function packageRoot(resolvedFile: string, name: string): string {
  let dir = dirname(resolvedFile);
  for (;;) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === name) {
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the package directory of ${name} above ${resolvedFile}`);
    dir = parent;
  }
}

/**
 * Host paths of what the server needs inside a sandbox: its source directory and entry file, and
 * the directories of onnxruntime-node and onnxruntime-common as Node resolves them from here.
 * Mount `serverDir` at some D/src and each `nodeModules` entry at D/node_modules/<name>, then run
 * `node D/src/server.ts --model … --socket …`.
 */
export function modelServerFiles(): {
  serverEntry: string;
  serverDir: string;
  nodeModules: { name: string; path: string }[];
} {
  const serverDir = dirname(fileURLToPath(import.meta.url));
  const nodeModules: { name: string; path: string }[] = [];
  // Each package is resolved from the one before it (onnxruntime-common from onnxruntime-node), as
  // Node does when the server loads them.
  let require = createRequire(import.meta.url);
  for (const name of RUNTIME_PACKAGES) {
    const path = packageRoot(require.resolve(name), name);
    nodeModules.push({ name, path });
    require = createRequire(join(path, "package.json"));
  }
  return { serverEntry: join(serverDir, "server.ts"), serverDir, nodeModules };
}
