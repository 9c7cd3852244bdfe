// The character vocabulary of the example model. Server-side module: imports nothing outside node
// builtins (it imports nothing at all), so it can run inside the provider's sandbox.

/** Every character the model knows, in id order: newline, space, punctuation, digits, letters. */
export const VOCAB = "\n !\"$%'(),-./:;?0123456789abcdefghijklmnopqrstuvwxyz";

/** Characters the vocabulary lacks are read as this one (after lower-casing). */
export const FALLBACK_CHAR = " ";

/** The context before the first character of a text: two newlines, as at the start of a paragraph. */
export const START_CHAR = "\n";

/** A character ↔ id table for one vocabulary string. */
export type Vocabulary = {
  /** The characters in id order. */
  chars: string[];
  size: number;
  /** The id of a vocabulary character, or undefined. */
  idOf: Map<string, number>;
  fallbackId: number;
  startId: number;
};

/**
 * Builds the id table for a vocabulary string. Throws if it repeats a character or lacks the
 * fallback or start character, since then ids would be ambiguous or texts unencodable.
 */
export function vocabulary(text: string): Vocabulary {
  const chars = Array.from(text);
  const idOf = new Map<string, number>();
  chars.forEach((char, id) => {
    if (idOf.has(char)) throw new Error(`vocabulary repeats the character ${JSON.stringify(char)}`);
    idOf.set(char, id);
  });
  const fallbackId = idOf.get(FALLBACK_CHAR);
  const startId = idOf.get(START_CHAR);
  if (fallbackId === undefined || startId === undefined) {
    throw new Error("vocabulary must contain a space (fallback) and a newline (start of text)");
  }
  if (chars.length < 2) throw new Error("vocabulary needs at least two characters");
  return { chars, size: chars.length, idOf, fallbackId, startId };
}

/**
 * The ids of a text: CRLF and CR become newlines, tabs spaces, letters are lower-cased, and any other
 * character outside the vocabulary becomes the fallback (a space).
 */
export function encode(vocab: Vocabulary, text: string): number[] {
  const ids: number[] = [];
  for (const raw of text.replace(/\r\n?/g, "\n")) {
    const char = raw === "\t" ? " " : raw.toLowerCase();
    ids.push(vocab.idOf.get(char) ?? vocab.idOf.get(raw) ?? vocab.fallbackId);
  }
  return ids;
}

/** The text of a list of ids. */
export function decode(vocab: Vocabulary, ids: readonly number[]): string {
  return ids.map((id) => vocab.chars[id] ?? FALLBACK_CHAR).join("");
}

/** The two-id context that precedes the next character after `ids` (start characters pad a short text). */
export function lastContext(vocab: Vocabulary, ids: readonly number[]): [number, number] {
  const n = ids.length;
  return [
    n >= 2 ? (ids[n - 2] ?? vocab.startId) : vocab.startId,
    n >= 1 ? (ids[n - 1] ?? vocab.startId) : vocab.startId,
  ];
}
