import { MalformedError } from "./errors.ts";

/** A Python literal as .npy headers use them; tuples and lists both become arrays, dicts become Maps. */
export type PyValue = string | number | boolean | PyValue[] | Map<string, PyValue>;

// Strings without escapes (NumPy writes none in the dtypes this package reads), decimal ints, booleans, punctuation.
const TOKEN = /\s*(?:'([^'\\\n]*)'|"([^"\\\n]*)"|(\d+)|(True|False)\b|([{}()[\]:,]))/y;
const MAX_DEPTH = 16;

type Token = { kind: "value"; value: string | number | boolean } | { kind: "punct"; punct: string };

/**
 * Parses the subset of Python literal syntax that a .npy header is written in: a dict of str keys whose values are
 * strings, booleans, non-negative ints, and tuples or lists of those. It reads the header as data, never as code, and
 * refuses anything else (a header is untrusted input).
 */
export function parsePyLiteral(text: string): PyValue {
  let at = 0;

  function fail(problem: string): never {
    const excerpt = JSON.stringify(text.slice(at, at + 24));
    throw new MalformedError(`the header is not a Python literal: ${problem} at character ${at} (${excerpt})`);
  }
  function next(): Token | undefined {
    TOKEN.lastIndex = at;
    const match = TOKEN.exec(text);
    if (!match) return undefined;
    at = TOKEN.lastIndex;
    const [, single, double, int, bool, punct] = match;
    if (punct !== undefined) return { kind: "punct", punct };
    if (int !== undefined) return { kind: "value", value: Number(int) };
    if (bool !== undefined) return { kind: "value", value: bool === "True" };
    return { kind: "value", value: single ?? double ?? "" };
  }
  function accept(punct: string): boolean {
    const start = at;
    const token = next();
    if (token?.kind === "punct" && token.punct === punct) return true;
    at = start;
    return false;
  }
  function value(depth: number): PyValue {
    if (depth > MAX_DEPTH) fail("nesting too deep");
    const token = next() ?? fail("unexpected character");
    if (token.kind === "value") return token.value;
    if (token.punct === "{") return dict(depth);
    if (token.punct === "[") return sequence("]", depth).items;
    if (token.punct === "(") {
      const { items, trailingComma } = sequence(")", depth);
      const [only] = items;
      // "(3)" is the int 3 in Python, "(3,)" a one-element tuple.
      return only !== undefined && items.length === 1 && !trailingComma ? only : items;
    }
    return fail(`unexpected '${token.punct}'`);
  }
  function sequence(close: string, depth: number): { items: PyValue[]; trailingComma: boolean } {
    const items: PyValue[] = [];
    for (;;) {
      if (accept(close)) return { items, trailingComma: items.length > 0 };
      items.push(value(depth + 1));
      if (!accept(",")) break;
    }
    if (!accept(close)) fail(`expected '${close}'`);
    return { items, trailingComma: false };
  }
  function dict(depth: number): Map<string, PyValue> {
    const entries = new Map<string, PyValue>();
    for (;;) {
      if (accept("}")) return entries;
      const key = value(depth + 1);
      if (typeof key !== "string") fail("a dict key that is not a string");
      if (entries.has(key)) fail(`duplicate key '${key}'`);
      if (!accept(":")) fail("expected ':'");
      entries.set(key, value(depth + 1));
      if (!accept(",")) break;
    }
    if (!accept("}")) fail("expected '}'");
    return entries;
  }

  const result = value(0);
  if (text.slice(at).trim() !== "") fail("trailing characters");
  return result;
}
