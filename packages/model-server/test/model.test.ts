import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import ort from "onnxruntime-node";
import { buildExampleModel, CORPUS_PATH, onnxSchema } from "../src/build.ts";
import { readMetadataProps } from "../src/onnxMetadata.ts";
import { countTrigrams, rowProbabilities, SMOOTHING_K } from "../src/trigram.ts";
import { encode, VOCAB, vocabulary } from "../src/vocab.ts";

process.env.ORT_DISABLE_TELEMETRY = "1";

const vocab = vocabulary(VOCAB);
const V = vocab.size;
const corpus = await readFile(CORPUS_PATH, "utf8");
const counts = countTrigrams(vocab, corpus);

let dir: string;
let modelFile: string;
let built: { vocab: string; sha256: string; bytes: number };
let session: ort.InferenceSession;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "model-server-model-"));
  modelFile = join(dir, "model.onnx");
  built = await buildExampleModel(modelFile);
  session = await ort.InferenceSession.create(modelFile);
});

after(async () => {
  await session?.release();
  await rm(dir, { recursive: true, force: true });
});

/** Runs the model on a batch of contexts; returns the [batch, V] probabilities. */
async function run(contexts: [number, number][], temperature: number): Promise<Float32Array> {
  const result = await session.run({
    context: new ort.Tensor("int64", BigInt64Array.from(contexts.flat(), BigInt), [contexts.length, 2]),
    temperature: new ort.Tensor("float32", Float32Array.of(temperature), [1]),
  });
  const probs = result.probs;
  assert.ok(probs);
  assert.deepEqual(probs.dims, [contexts.length, V]);
  return probs.data as Float32Array;
}

const allContexts = (): [number, number][] => {
  const contexts: [number, number][] = [];
  for (let a = 0; a < V; a++) for (let b = 0; b < V; b++) contexts.push([a, b]);
  return contexts;
};

describe("the vocabulary and the counts", () => {
  it("has 40 to 64 distinct characters, with newline and space", () => {
    assert.ok(V >= 40 && V <= 64, `V = ${V}`);
    assert.equal(new Set(VOCAB).size, V);
    assert.ok(vocab.idOf.has("\n") && vocab.idOf.has(" "));
  });

  it("lower-cases, folds CRLF and maps unknown characters to the fallback", () => {
    assert.deepEqual(encode(vocab, "Ab\r\n€"), [
      vocab.idOf.get("a"),
      vocab.idOf.get("b"),
      vocab.idOf.get("\n"),
      vocab.idOf.get(" "),
    ]);
  });

  it("counts one trigram per corpus character, the common ones where expected", () => {
    const total = counts.reduce((sum, c) => sum + c, 0);
    assert.equal(total, encode(vocab, corpus).length);
    assert.ok(corpus.length > 3000, "the corpus is a few KB");
    const id = (c: string) => vocab.idOf.get(c) ?? -1;
    const row = (id("t") * V + id("h")) * V;
    const afterTh = Array.from(counts.subarray(row, row + V));
    assert.equal(afterTh.indexOf(Math.max(...afterTh)), id("e"), "'e' is the commonest character after 'th'");
    assert.equal(counts[(id("q") * V + id("q")) * V + id("q")], 0);
  });
});

describe("buildExampleModel", () => {
  it("is deterministic: a second build has the same bytes and SHA-256", async () => {
    const second = join(dir, "again", "model.onnx");
    const again = await buildExampleModel(second);
    assert.equal(again.sha256, built.sha256);
    assert.deepEqual(await readFile(second), await readFile(modelFile));
  });

  it("reports the vocabulary, size and SHA-256 of the file it wrote", async () => {
    const bytes = await readFile(modelFile);
    assert.equal(built.vocab, VOCAB);
    assert.equal(built.bytes, bytes.length);
    assert.equal(built.sha256, createHash("sha256").update(bytes).digest("hex"));
    // The table dominates: V*V*V float32 values.
    assert.ok(built.bytes > V * V * V * 4 && built.bytes < V * V * V * 4 + 4096);
  });

  it("writes a ModelProto that the ONNX schema decodes: opset 13, the graph, the vocabulary", async () => {
    const ModelProto = onnxSchema().lookupType("onnx.ModelProto");
    const model = ModelProto.toObject(ModelProto.decode(await readFile(modelFile)), { longs: Number }) as {
      ir_version: number;
      opset_import: { domain?: string; version: number }[];
      graph: {
        node: { op_type: string }[];
        input: { name: string }[];
        output: { name: string }[];
        initializer: { name: string; dims: number[]; data_type: number }[];
      };
      metadata_props: { key: string; value: string }[];
    };
    assert.deepEqual(model.opset_import, [{ domain: "", version: 13 }]);
    assert.deepEqual(
      model.graph.node.map((n) => n.op_type),
      ["Gather", "Gather", "Mul", "Add", "Gather", "Div", "Softmax"],
    );
    assert.deepEqual(
      model.graph.input.map((i) => i.name),
      ["context", "temperature"],
    );
    assert.deepEqual(
      model.graph.output.map((o) => o.name),
      ["probs"],
    );
    const table = model.graph.initializer.find((t) => t.name === "log_probs");
    assert.deepEqual(table?.dims, [V * V, V]);
    const vocabEntry = model.metadata_props.find((p) => p.key === "plasma.vocab");
    assert.equal(vocabEntry?.value, VOCAB);
  });

  it("the server's metadata reader agrees with protobufjs and rejects bytes that are not protobuf", async () => {
    const bytes = await readFile(modelFile);
    const props = readMetadataProps(bytes);
    assert.equal(props.get("plasma.vocab"), VOCAB);
    assert.equal(props.get("plasma.model_id"), "plasma-trigram");
    assert.equal(props.get("plasma.smoothing_k"), String(SMOOTHING_K));
    assert.throws(() => readMetadataProps(bytes.subarray(0, bytes.length - 100)), /runs past the end/);
    assert.throws(() => readMetadataProps(Buffer.from("not an onnx model\n")), /wire type|field number|past the end/);
  });
});

describe("onnxruntime-node runs the model", () => {
  it("has the inputs and output the server uses", () => {
    assert.deepEqual(session.inputNames, ["context", "temperature"]);
    assert.deepEqual(session.outputNames, ["probs"]);
  });

  it("gives, for every context, the add-k probabilities of the counts (within 1e-6), rows summing to 1", async () => {
    const contexts = allContexts();
    const probs = await run(contexts, 1);
    let worst = 0;
    for (let row = 0; row < contexts.length; row++) {
      const expected = rowProbabilities(counts, V, row, SMOOTHING_K);
      let sum = 0;
      for (let c = 0; c < V; c++) {
        const got = probs[row * V + c] ?? Number.NaN;
        worst = Math.max(worst, Math.abs(got - (expected[c] ?? Number.NaN)));
        sum += got;
      }
      assert.ok(Math.abs(sum - 1) < 1e-5, `row ${row} sums to ${sum}`);
    }
    assert.ok(worst < 1e-6, `largest difference ${worst}`);
  });

  it("divides the log-probabilities by the temperature: T = 0.5 squares and renormalizes", async () => {
    const id = (c: string) => vocab.idOf.get(c) ?? -1;
    const contexts: [number, number][] = [
      [vocab.startId, vocab.startId],
      [id("t"), id("h")],
      [id(" "), id("g")],
    ];
    const probs = await run(contexts, 0.5);
    contexts.forEach(([a, b], i) => {
      const p = rowProbabilities(counts, V, a * V + b, SMOOTHING_K);
      const squared = p.map((x) => x * x);
      const total = squared.reduce((s, x) => s + x, 0);
      for (let c = 0; c < V; c++) {
        const got = probs[i * V + c] ?? Number.NaN;
        assert.ok(Math.abs(got - (squared[c] ?? 0) / total) < 1e-6, `context ${i}, char ${c}`);
      }
    });
  });
});
