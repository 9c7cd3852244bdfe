// Builds the example model: counts trigrams over the shipped corpus, turns them into a
// log-probability table and writes an ONNX graph around it with protobufjs and the vendored
// subset of onnx.proto (../proto/onnx-subset.proto). Not imported by the server.

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import protobuf from "protobufjs";
import {
  INPUT_CONTEXT,
  INPUT_TEMPERATURE,
  IR_VERSION,
  METADATA_MODEL_ID,
  METADATA_SMOOTHING_K,
  METADATA_VOCAB,
  MODEL_ID,
  OPSET_VERSION,
  OUTPUT_PROBS,
} from "./modelFormat.ts";
import { countTrigrams, logProbabilityTable, SMOOTHING_K } from "./trigram.ts";
import { VOCAB, vocabulary } from "./vocab.ts";

export const CORPUS_PATH = new URL("../model/corpus.txt", import.meta.url);
export const ONNX_PROTO_PATH = new URL("../proto/onnx-subset.proto", import.meta.url);

/** TensorProto.DataType values used here. */
const FLOAT = 1;
const INT64 = 7;
/** AttributeProto.AttributeType.INT */
const ATTRIBUTE_INT = 2;

let root: protobuf.Root | undefined;

/** The vendored ONNX schema, parsed once. */
export function onnxSchema(): protobuf.Root {
  root ??= protobuf.parse(readFileSync(ONNX_PROTO_PATH, "utf8"), { keepCase: true }).root;
  return root;
}

function tensorType(elemType: number, dims: (number | string)[]) {
  return {
    tensor_type: {
      elem_type: elemType,
      shape: { dim: dims.map((d) => (typeof d === "number" ? { dim_value: d } : { dim_param: d })) },
    },
  };
}

function floatBytes(values: Float32Array): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((value, i) => {
    view.setFloat32(i * 4, value, true);
  });
  return bytes;
}

function int64Scalar(name: string, value: number) {
  return { name, dims: [], data_type: INT64, int64_data: [value] };
}

function node(opType: string, inputs: string[], outputs: string[], attributes: Record<string, number> = {}) {
  return {
    op_type: opType,
    name: outputs[0],
    input: inputs,
    output: outputs,
    attribute: Object.entries(attributes).map(([name, i]) => ({ name, type: ATTRIBUTE_INT, i })),
  };
}

/** The serialized example model (deterministic: the same corpus always gives the same bytes). */
export function exampleModelBytes(corpus = readFileSync(CORPUS_PATH, "utf8")): Uint8Array {
  const vocab = vocabulary(VOCAB);
  const v = vocab.size;
  const table = logProbabilityTable(countTrigrams(vocab, corpus), v, SMOOTHING_K);
  const graph = {
    name: "plasma_char_trigram",
    doc_string: "Next-character distribution of a character trigram model: probs = softmax(table[c1*V + c2] / T).",
    input: [
      { name: INPUT_CONTEXT, type: tensorType(INT64, ["batch", 2]) },
      { name: INPUT_TEMPERATURE, type: tensorType(FLOAT, [1]) },
    ],
    output: [{ name: OUTPUT_PROBS, type: tensorType(FLOAT, ["batch", v]) }],
    initializer: [
      { name: "log_probs", dims: [v * v, v], data_type: FLOAT, raw_data: floatBytes(table) },
      int64Scalar("vocab_size", v),
      int64Scalar("first", 0),
      int64Scalar("second", 1),
    ],
    node: [
      node("Gather", [INPUT_CONTEXT, "first"], ["c1"], { axis: 1 }),
      node("Gather", [INPUT_CONTEXT, "second"], ["c2"], { axis: 1 }),
      node("Mul", ["c1", "vocab_size"], ["c1_times_v"]),
      node("Add", ["c1_times_v", "c2"], ["row"]),
      node("Gather", ["log_probs", "row"], ["logits"], { axis: 0 }),
      node("Div", ["logits", INPUT_TEMPERATURE], ["scaled"]),
      node("Softmax", ["scaled"], [OUTPUT_PROBS], { axis: -1 }),
    ],
  };
  const ModelProto = onnxSchema().lookupType("onnx.ModelProto");
  const model = ModelProto.fromObject({
    ir_version: IR_VERSION,
    opset_import: [{ domain: "", version: OPSET_VERSION }],
    producer_name: "@plasma/model-server",
    producer_version: "0.1.0",
    domain: "org.plasma",
    model_version: 1,
    doc_string: "Character trigram language model trained on packages/model-server/model/corpus.txt",
    graph,
    metadata_props: [
      { key: METADATA_VOCAB, value: VOCAB },
      { key: METADATA_MODEL_ID, value: MODEL_ID },
      { key: METADATA_SMOOTHING_K, value: String(SMOOTHING_K) },
    ],
  });
  return ModelProto.encode(model).finish();
}

/**
 * Builds the example model into `outFile` (parent directories are created). Returns the vocabulary
 * the model carries in its metadata, and the file's SHA-256 and size.
 */
export async function buildExampleModel(outFile: string): Promise<{ vocab: string; sha256: string; bytes: number }> {
  const bytes = exampleModelBytes();
  await mkdir(dirname(outFile), { recursive: true });
  await writeFile(outFile, bytes);
  return { vocab: VOCAB, sha256: createHash("sha256").update(bytes).digest("hex"), bytes: bytes.length };
}
