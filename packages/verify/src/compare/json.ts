import type { FileHandle } from "node:fs/promises";
import { MalformedError } from "./errors.ts";
import { quote } from "./format.ts";
import { different, numericOutcome } from "./outcome.ts";
import { ToleranceTally } from "./tolerance.ts";
import type { FileOutcome, Tolerance } from "./types.ts";

/** JSON is parsed whole, unlike tensors: refuse files larger than this rather than exhaust memory. */
export const MAX_JSON_BYTES = 64 * 1024 * 1024;

/** Reads and parses a JSON file (UTF-8, at most MAX_JSON_BYTES). Numbers become float64, as JSON.parse makes them. */
export async function readJson(file: FileHandle): Promise<unknown> {
  const { size } = await file.stat();
  if (size > MAX_JSON_BYTES)
    throw new MalformedError(`it is ${size} bytes, over the ${MAX_JSON_BYTES}-byte JSON limit`);
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(await file.readFile()));
  } catch (error) {
    throw new MalformedError(`it is not valid UTF-8 JSON (${(error as Error).message})`);
  }
}

function kind(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
}

/** A JSONPath-like location for messages: $.layers[3].weight, $["odd key"]. */
function child(at: string, key: string | number): string {
  if (typeof key === "number") return `${at}[${key}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${at}.${key}` : `${at}[${quote(key)}]`;
}

/**
 * Compares two parsed JSON documents: numbers with tolerance wherever they sit, everything else exactly (object
 * keys as sets, array lengths, strings, booleans, nulls). Walks with an explicit stack, since JSON.parse accepts
 * nesting deeper than the call stack would.
 */
export function compareJson(expected: unknown, actual: unknown, tolerance: Tolerance): FileOutcome {
  const tally = new ToleranceTally(tolerance);
  let firstAt: string | undefined;
  const stack: { b: unknown; a: unknown; at: string }[] = [{ b: expected, a: actual, at: "$" }];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const { b, a, at } = item;
    if (kind(b) !== kind(a)) return different(`differs at ${at}: ${kind(a)} where ${kind(b)} was expected`);
    if (typeof b === "number" && typeof a === "number") {
      if (!tally.addNumbers(b, a)) firstAt ??= at;
    } else if (Array.isArray(b) && Array.isArray(a)) {
      if (a.length !== b.length) {
        return different(`differs at ${at}: array length ${a.length} where ${b.length} was expected`);
      }
      // Pushed in reverse so that elements are visited, and the first violation found, in document order.
      for (let i = b.length - 1; i >= 0; i--) stack.push({ b: b[i], a: a[i], at: child(at, i) });
    } else if (kind(b) === "object") {
      const [bObject, aObject] = [b as Record<string, unknown>, a as Record<string, unknown>];
      const aKeys = new Set(Object.keys(aObject));
      const bKeys = Object.keys(bObject).sort();
      const missing = bKeys.find((key) => !aKeys.has(key));
      if (missing !== undefined) return different(`differs at ${at}: key ${quote(missing)} is missing`);
      if (aKeys.size !== bKeys.length) {
        const extra = [...aKeys].sort().find((key) => !Object.hasOwn(bObject, key));
        return different(`differs at ${at}: key ${quote(extra)} was not expected`);
      }
      for (const key of bKeys.reverse()) stack.push({ b: bObject[key], a: aObject[key], at: child(at, key) });
    } else if (a !== b) {
      return different(`differs at ${at}: ${quote(a)} where ${quote(b)} was expected`);
    }
  }
  return numericOutcome(tally, "number", firstAt);
}
