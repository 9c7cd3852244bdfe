// Loads the example model into onnxruntime-node (CPU) and generates text with it, one character per
// session run. Server-side module: imports only node builtins and onnxruntime-node.

import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import ort from "onnxruntime-node";
import {
  INPUT_CONTEXT,
  INPUT_TEMPERATURE,
  METADATA_MODEL_ID,
  METADATA_VOCAB,
  MODEL_ID,
  OUTPUT_PROBS,
} from "./modelFormat.ts";
import { readMetadataProps } from "./onnxMetadata.ts";
import { argmax, SeededRandom, sampleIndex } from "./sampling.ts";
import { encode, lastContext, type Vocabulary, vocabulary } from "./vocab.ts";

/** A loaded model: its session, vocabulary and identity. */
export type Engine = {
  modelId: string;
  vocab: Vocabulary;
  /** SHA-256 of the .onnx file, hex. */
  sha256: string;
  session: ort.InferenceSession;
};

/** Options of one generation. `temperature` 0 picks the likeliest character at every step. */
export type GenerateOptions = { maxTokens: number; temperature: number; seed: number };

/**
 * Loads an .onnx file built by buildExampleModel: reads the vocabulary from its metadata and checks
 * that the graph has the inputs and output the server feeds and reads. Errors say what is wrong with
 * the file.
 */
export async function loadEngine(modelPath: string): Promise<Engine> {
  const bytes = await readFile(modelPath);
  let props: Map<string, string>;
  try {
    props = readMetadataProps(bytes);
  } catch (error) {
    throw new Error(`${modelPath} is not an ONNX model file (${(error as Error).message})`);
  }
  const vocabText = props.get(METADATA_VOCAB);
  if (vocabText === undefined) {
    throw new Error(
      `${modelPath} has no '${METADATA_VOCAB}' metadata entry: build the model with buildExampleModel (node packages/model-server/scripts/build-model.ts OUT.onnx)`,
    );
  }
  const vocab = vocabulary(vocabText);
  // Official onnxruntime builds from 1.29 on upload telemetry on Linux and keep a device id under
  // ~/.cache unless this is set before the first session; a client's model endpoint must do neither.
  // Read lazily by the native library, so setting it here (before the first session) is in time.
  process.env.ORT_DISABLE_TELEMETRY ??= "1";
  const session = await ort.InferenceSession.create(bytes, {
    executionProviders: ["cpu"],
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    logSeverityLevel: 3,
  });
  const expectInputs = [INPUT_CONTEXT, INPUT_TEMPERATURE];
  if (expectInputs.some((name) => !session.inputNames.includes(name)) || !session.outputNames.includes(OUTPUT_PROBS)) {
    await session.release();
    throw new Error(
      `${modelPath} has inputs [${session.inputNames.join(", ")}] and outputs [${session.outputNames.join(", ")}]; the server needs inputs [${expectInputs.join(", ")}] and output ${OUTPUT_PROBS}`,
    );
  }
  return {
    modelId: props.get(METADATA_MODEL_ID) ?? MODEL_ID,
    vocab,
    sha256: createHash("sha256").update(bytes).digest("hex"),
    session,
  };
}

/** The next-character distribution after the pair (c1, c2), from one session run. */
export async function nextProbabilities(
  engine: Engine,
  context: [number, number],
  temperature: number,
): Promise<Float32Array> {
  const feeds = {
    [INPUT_CONTEXT]: new ort.Tensor("int64", BigInt64Array.from(context, BigInt), [1, 2]),
    [INPUT_TEMPERATURE]: new ort.Tensor("float32", Float32Array.of(temperature), [1]),
  };
  const result = await engine.session.run(feeds);
  const probs = result[OUTPUT_PROBS];
  if (!probs || !(probs.data instanceof Float32Array) || probs.data.length !== engine.vocab.size) {
    throw new Error(`model output '${OUTPUT_PROBS}' is not a float tensor of ${engine.vocab.size} probabilities`);
  }
  return probs.data;
}

/**
 * Generates `maxTokens` characters after `prompt`, yielding each as it is made. The same prompt,
 * temperature and seed always yield the same characters.
 */
export async function* generate(engine: Engine, prompt: string, options: GenerateOptions): AsyncGenerator<string> {
  const random = new SeededRandom(options.seed);
  const ids = encode(engine.vocab, prompt);
  let context = lastContext(engine.vocab, ids);
  const greedy = options.temperature === 0;
  for (let i = 0; i < options.maxTokens; i++) {
    const probs = await nextProbabilities(engine, context, greedy ? 1 : options.temperature);
    const id = greedy ? argmax(probs) : sampleIndex(probs, random.next());
    context = [context[1], id];
    yield engine.vocab.chars[id] ?? "";
  }
}
