import type { FileHandle } from "node:fs/promises";
import { isDeepStrictEqual } from "node:util";
import type { DType } from "./dtype.ts";
import { MalformedError, UnsupportedDtypeError } from "./errors.ts";
import { formatShape, quote } from "./format.ts";
import { different, numericOutcome } from "./outcome.ts";
import {
  formatIndex,
  MAX_HEADER_BYTES,
  readFully,
  shapeByteLength,
  type TensorLayout,
  tallyTensors,
} from "./tensor.ts";
import { ToleranceTally } from "./tolerance.ts";
import type { FileOutcome, Opened, Tolerance } from "./types.ts";

/** What a .safetensors header says: each tensor's layout (offsets made absolute) and the free-form metadata. */
export type SafetensorsFile = {
  tensors: Map<string, TensorLayout>;
  /** `__metadata__`, empty when the file has none. */
  metadata: Map<string, string>;
};

// The format's dtype names for the types this package decodes (float8 and complex types are left out).
const DTYPES = new Map<string, DType>([
  ["F16", "float16"],
  ["BF16", "bfloat16"],
  ["F32", "float32"],
  ["F64", "float64"],
  ["I8", "int8"],
  ["I16", "int16"],
  ["I32", "int32"],
  ["I64", "int64"],
  ["U8", "uint8"],
  ["U16", "uint16"],
  ["U32", "uint32"],
  ["U64", "uint64"],
  ["BOOL", "bool"],
]);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function parseMetadata(value: unknown): Map<string, string> {
  const entries = isRecord(value) ? Object.entries(value) : [];
  if (!isRecord(value) || !entries.every((entry): entry is [string, string] => typeof entry[1] === "string")) {
    throw new MalformedError("its __metadata__ is not an object of strings");
  }
  return new Map(entries);
}

/** The first metadata key whose value differs, as a reason. */
function metadataDifference(expected: Map<string, string>, actual: Map<string, string>): string | undefined {
  for (const key of [...new Set([...expected.keys(), ...actual.keys()])].sort()) {
    const [b, a] = [expected.get(key), actual.get(key)];
    if (a !== b) return `has __metadata__ ${quote(key)} = ${quote(a ?? null)} where ${quote(b ?? null)} was expected`;
  }
  return undefined;
}

function parseTensor(name: string, info: unknown, dataStart: number, dataLength: number) {
  const what = `tensor ${quote(name)}`;
  if (!isRecord(info)) throw new MalformedError(`${what} is not described by an object`);
  const { dtype: declaredDtype, shape: declaredShape, data_offsets: offsets } = info;
  if (typeof declaredDtype !== "string") throw new MalformedError(`${what} has no dtype string`);
  const dtype = DTYPES.get(declaredDtype);
  if (!dtype) throw new UnsupportedDtypeError(`${what} has dtype ${quote(declaredDtype)}, which is not supported`);
  const { shape, byteLength } = shapeByteLength(declaredShape, dtype, what);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
    throw new MalformedError(`${what} has data_offsets ${JSON.stringify(offsets)}, not two non-negative integers`);
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end || end > dataLength) {
    throw new MalformedError(`${what} has data_offsets [${begin}, ${end}] outside the ${dataLength} data bytes`);
  }
  if (end - begin !== byteLength) {
    throw new MalformedError(
      `${what} spans ${end - begin} bytes where shape ${formatShape(shape)} of ${declaredDtype} takes ${byteLength}`,
    );
  }
  return { begin, end, layout: { dtype, littleEndian: true, shape, offset: dataStart + begin, byteLength } };
}

/**
 * Reads and checks a .safetensors header: an 8-byte little-endian length, then at most MAX_HEADER_BYTES of JSON
 * describing each tensor (dtype, shape, data_offsets) and optional string metadata. As the format's reference
 * implementation does, it requires the tensors to tile the data exactly: in range, no overlap, no gap, nothing left
 * over (a file with hidden bytes could be two files at once). The data itself is left in the file.
 */
export async function readSafetensors(file: FileHandle): Promise<SafetensorsFile> {
  const { size } = await file.stat();
  if (size < 8) throw new MalformedError(`the file is ${size} bytes, too short for a .safetensors header length`);
  const prefix = Buffer.alloc(8);
  await readFully(file, prefix, 0);
  const headerLength = prefix.readBigUInt64LE(0);
  if (headerLength > BigInt(MAX_HEADER_BYTES)) {
    throw new MalformedError(`its header length ${headerLength} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  }
  const dataStart = 8 + Number(headerLength);
  if (dataStart > size) {
    throw new MalformedError(`its header length ${headerLength} runs past the end of the file (${size} bytes)`);
  }
  const headerBytes = Buffer.alloc(Number(headerLength));
  await readFully(file, headerBytes, 8);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(headerBytes));
  } catch (error) {
    throw new MalformedError(`its header is not valid UTF-8 JSON (${(error as Error).message})`);
  }
  if (!isRecord(header)) throw new MalformedError("its header is not a JSON object");

  const dataLength = size - dataStart;
  const tensors: SafetensorsFile["tensors"] = new Map();
  const extents: { name: string; begin: number; end: number }[] = [];
  let metadata = new Map<string, string>();
  for (const [name, info] of Object.entries(header)) {
    if (name === "__metadata__") {
      metadata = parseMetadata(info);
      continue;
    }
    const { begin, end, layout } = parseTensor(name, info, dataStart, dataLength);
    tensors.set(name, layout);
    extents.push({ name, begin, end });
  }
  extents.sort((x, y) => x.begin - y.begin || x.end - y.end);
  let covered = 0;
  let previous = "";
  for (const { name, begin, end } of extents) {
    if (begin < covered) throw new MalformedError(`tensors ${quote(previous)} and ${quote(name)} overlap`);
    if (begin > covered) throw new MalformedError(`data bytes ${covered}–${begin} belong to no tensor`);
    covered = end;
    previous = name;
  }
  if (covered !== dataLength) throw new MalformedError(`data bytes ${covered}–${dataLength} belong to no tensor`);
  return { tensors, metadata };
}

/**
 * Compares two .safetensors files: the same tensor names, each with the same dtype and shape, metadata equal
 * exactly, then every tensor element by element (in name order, so that "first" means the same on both sides).
 */
export async function compareSafetensors(
  expected: Opened<SafetensorsFile>,
  actual: Opened<SafetensorsFile>,
  tolerance: Tolerance,
): Promise<FileOutcome> {
  const [b, a] = [expected.content, actual.content];
  const metadataDiffers = metadataDifference(b.metadata, a.metadata);
  if (metadataDiffers) return different(metadataDiffers);
  const extra = [...a.tensors.keys()].filter((name) => !b.tensors.has(name)).sort();
  if (extra[0] !== undefined) return different(`has tensor ${quote(extra[0])}, which was not expected`);
  const pairs: { name: string; b: TensorLayout; a: TensorLayout }[] = [];
  for (const [name, bLayout] of [...b.tensors].sort(([x], [y]) => (x < y ? -1 : 1))) {
    const aLayout = a.tensors.get(name);
    if (!aLayout) return different(`lacks tensor ${quote(name)}`);
    if (aLayout.dtype !== bLayout.dtype) {
      return different(`has tensor ${quote(name)} of ${aLayout.dtype} where ${bLayout.dtype} was expected`);
    }
    if (!isDeepStrictEqual(aLayout.shape, bLayout.shape)) {
      return different(
        `has tensor ${quote(name)} of shape ${formatShape(aLayout.shape)} where ${formatShape(bLayout.shape)} was expected`,
      );
    }
    pairs.push({ name, b: bLayout, a: aLayout });
  }

  const tally = new ToleranceTally(tolerance);
  let firstAt: string | undefined;
  for (const pair of pairs) {
    const start = tally.stats.compared;
    await tallyTensors({ file: expected.file, layout: pair.b }, { file: actual.file, layout: pair.a }, tally);
    if (firstAt === undefined && tally.first) {
      firstAt = `tensor ${quote(pair.name)} ${formatIndex(tally.first.ordinal - start, pair.b.shape)}`;
    }
  }
  return numericOutcome(tally, "element", firstAt);
}
