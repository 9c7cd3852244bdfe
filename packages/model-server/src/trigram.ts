// Counting and smoothing of the character trigram model: pure arithmetic on typed arrays, shared by
// the model build and the tests that check what onnxruntime computes.

import { encode, type Vocabulary } from "./vocab.ts";

/** The add-k constant of the example model's smoothing. */
export const SMOOTHING_K = 0.01;

/**
 * Trigram counts of a text: entry (a*V + b)*V + c counts how often c follows the pair (a, b). The
 * text is read after two start characters, so its first characters are counted too.
 */
export function countTrigrams(vocab: Vocabulary, text: string): Uint32Array {
  const v = vocab.size;
  const counts = new Uint32Array(v * v * v);
  let a = vocab.startId;
  let b = vocab.startId;
  for (const c of encode(vocab, text)) {
    const index = (a * v + b) * v + c;
    counts[index] = (counts[index] ?? 0) + 1;
    a = b;
    b = c;
  }
  return counts;
}

/** The smoothed next-character probabilities of one context row: (count + k) / (row total + k·V). */
export function rowProbabilities(counts: Uint32Array, size: number, row: number, k = SMOOTHING_K): Float64Array {
  const probs = new Float64Array(size);
  let total = 0;
  for (let c = 0; c < size; c++) total += counts[row * size + c] ?? 0;
  const denominator = total + k * size;
  for (let c = 0; c < size; c++) probs[c] = ((counts[row * size + c] ?? 0) + k) / denominator;
  return probs;
}

/** The [V*V, V] table of natural-log probabilities, rounded to float32: the model's one weight. */
export function logProbabilityTable(counts: Uint32Array, size: number, k = SMOOTHING_K): Float32Array {
  const table = new Float32Array(size * size * size);
  for (let row = 0; row < size * size; row++) {
    const probs = rowProbabilities(counts, size, row, k);
    for (let c = 0; c < size; c++) table[row * size + c] = Math.log(probs[c] ?? 0);
  }
  return table;
}
