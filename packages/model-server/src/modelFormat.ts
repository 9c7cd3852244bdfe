// What the example model's .onnx file promises to its server: names of the graph's inputs and
// outputs and the metadata keys. Server-side module: no imports.

/** The model id the server reports and accepts (OpenAI's `model` field). */
export const MODEL_ID = "plasma-trigram";

/** ModelProto.metadata_props keys. */
export const METADATA_VOCAB = "plasma.vocab";
export const METADATA_MODEL_ID = "plasma.model_id";
export const METADATA_SMOOTHING_K = "plasma.smoothing_k";

/** int64 [batch, 2]: the ids of the two characters before the one to predict. */
export const INPUT_CONTEXT = "context";
/** float [1]: logits are divided by it before the softmax (1 gives the model's own probabilities). */
export const INPUT_TEMPERATURE = "temperature";
/** float [batch, V]: the next-character distribution of each context. */
export const OUTPUT_PROBS = "probs";

/** ONNX operator set the graph is written against, and the IR version of the file. */
export const OPSET_VERSION = 13;
export const IR_VERSION = 8;
