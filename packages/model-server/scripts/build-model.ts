// Builds the example ONNX model: node packages/model-server/scripts/build-model.ts OUT.onnx
import { resolve } from "node:path";
import { buildExampleModel } from "../src/build.ts";

const out = process.argv[2];
if (!out || process.argv.length > 3) {
  process.stderr.write("usage: node packages/model-server/scripts/build-model.ts OUT.onnx\n");
  process.exit(2);
}
const started = performance.now();
const { vocab, sha256, bytes } = await buildExampleModel(resolve(out));
const ms = (performance.now() - started).toFixed(0);
process.stdout.write(
  `${resolve(out)}: ${bytes} bytes, sha256 ${sha256}, vocabulary of ${Array.from(vocab).length} characters (${ms} ms)\n`,
);
