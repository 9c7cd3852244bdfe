/// <reference lib="es2025.float16" />
// Builders for .npy and .safetensors files written byte by byte, and output directories with their manifests.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after } from "node:test";
import { buildManifest } from "@plasma/runtime";
import {
  compareOutputs,
  DTYPE_SIZE,
  type DType,
  type OutputSet,
  type Verdict,
  type VerificationSpec,
} from "../../src/compare/index.ts";

export const DTYPES: DType[] = [
  "float16",
  "bfloat16",
  "float32",
  "float64",
  "int8",
  "int16",
  "int32",
  "int64",
  "uint8",
  "uint16",
  "uint32",
  "uint64",
  "bool",
];

/** Encodes values as `dtype` elements; bfloat16 keeps a float32's upper half (exact for the values tests use). */
export function encode(dtype: DType, values: readonly (number | bigint)[], littleEndian = true): Buffer {
  const size = DTYPE_SIZE[dtype];
  const bytes = Buffer.alloc(values.length * size);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const [i, value] of values.entries()) {
    const at = i * size;
    const n = Number(value);
    switch (dtype) {
      case "float16":
        view.setFloat16(at, n, littleEndian);
        break;
      case "bfloat16": {
        const scratch = new DataView(new ArrayBuffer(4));
        scratch.setFloat32(0, n);
        view.setUint16(at, scratch.getUint16(0), littleEndian);
        break;
      }
      case "float32":
        view.setFloat32(at, n, littleEndian);
        break;
      case "float64":
        view.setFloat64(at, n, littleEndian);
        break;
      case "int8":
        view.setInt8(at, n);
        break;
      case "int16":
        view.setInt16(at, n, littleEndian);
        break;
      case "int32":
        view.setInt32(at, n, littleEndian);
        break;
      case "int64":
        view.setBigInt64(at, BigInt(value), littleEndian);
        break;
      case "uint8":
        view.setUint8(at, n);
        break;
      case "uint16":
        view.setUint16(at, n, littleEndian);
        break;
      case "uint32":
        view.setUint32(at, n, littleEndian);
        break;
      case "uint64":
        view.setBigUint64(at, BigInt(value), littleEndian);
        break;
      case "bool": // written as given, so that tests can store a true as 2
        view.setUint8(at, n);
        break;
    }
  }
  return bytes;
}

/** Raw 16-bit patterns, for decoding known half-precision and bfloat16 bit patterns. */
export function uint16s(patterns: number[], littleEndian = true): Buffer {
  return encode("uint16", patterns, littleEndian);
}

const NPY_CODES: Partial<Record<DType, string>> = {
  float16: "f2",
  float32: "f4",
  float64: "f8",
  int8: "i1",
  int16: "i2",
  int32: "i4",
  int64: "i8",
  uint8: "u1",
  uint16: "u2",
  uint32: "u4",
  uint64: "u8",
  bool: "b1",
};

export function npyDescr(dtype: DType, littleEndian = true): string {
  const code = NPY_CODES[dtype];
  if (!code) throw new Error(`.npy has no ${dtype}`);
  return `${DTYPE_SIZE[dtype] === 1 ? "|" : littleEndian ? "<" : ">"}${code}`;
}

const pyShape = (shape: number[]) => (shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`);

/**
 * A .npy file as NumPy writes it: magic, version, header length, a header dict padded with spaces to a multiple of
 * 64 bytes and ended by a newline, then the data. `header` replaces the dict text to build malformed files.
 */
export function npyFile(
  descr: string,
  shape: number[],
  data: Uint8Array,
  options: { version?: 1 | 2 | 3; fortranOrder?: boolean; header?: string } = {},
): Buffer {
  const { version = 1, fortranOrder = false } = options;
  const dict =
    options.header ??
    `{'descr': '${descr}', 'fortran_order': ${fortranOrder ? "True" : "False"}, 'shape': ${pyShape(shape)}, }`;
  const preamble = version === 1 ? 10 : 12;
  const padded = `${dict}${" ".repeat(63 - ((preamble + Buffer.byteLength(dict) + 1 + 63) % 64))}\n`;
  const header = Buffer.from(padded, version === 3 ? "utf8" : "latin1");
  const length = Buffer.alloc(version === 1 ? 2 : 4);
  if (version === 1) length.writeUInt16LE(header.length);
  else length.writeUInt32LE(header.length);
  return Buffer.concat([Buffer.from("\x93NUMPY", "latin1"), Buffer.from([version, 0]), length, header, data]);
}

/** A C-order .npy array of `values`, one-dimensional unless `shape` says otherwise. */
export function npy(
  dtype: DType,
  values: readonly (number | bigint)[],
  options: { shape?: number[]; littleEndian?: boolean } = {},
): Buffer {
  const { shape = [values.length], littleEndian = true } = options;
  return npyFile(npyDescr(dtype, littleEndian), shape, encode(dtype, values, littleEndian));
}

const SAFETENSORS_DTYPES: Record<DType, string> = {
  float16: "F16",
  bfloat16: "BF16",
  float32: "F32",
  float64: "F64",
  int8: "I8",
  int16: "I16",
  int32: "I32",
  int64: "I64",
  uint8: "U8",
  uint16: "U16",
  uint32: "U32",
  uint64: "U64",
  bool: "BOOL",
};

/** A .safetensors file from a header (object or raw text) and the data bytes, laid out as the format says. */
export function safetensorsFile(header: unknown, data: Uint8Array = Buffer.alloc(0)): Buffer {
  const json = Buffer.from(typeof header === "string" ? header : JSON.stringify(header));
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([length, json, data]);
}

export type TensorSpec = { dtype: DType; values: readonly (number | bigint)[]; shape?: number[] };

/** A well-formed .safetensors file holding `tensors` back to back, in the order given. */
export function safetensors(tensors: Record<string, TensorSpec>, metadata?: Record<string, string>): Buffer {
  const header: Record<string, unknown> = metadata ? { __metadata__: metadata } : {};
  const chunks: Buffer[] = [];
  let offset = 0;
  for (const [name, { dtype, values, shape = [values.length] }] of Object.entries(tensors)) {
    const data = encode(dtype, values);
    header[name] = { dtype: SAFETENSORS_DTYPES[dtype], shape, data_offsets: [offset, offset + data.length] };
    chunks.push(data);
    offset += data.length;
  }
  return safetensorsFile(header, Buffer.concat(chunks));
}

const created: string[] = [];
after(() => {
  for (const dir of created) rmSync(dir, { recursive: true, force: true });
});

/** Writes `files` into a fresh directory and returns it with the manifest `buildManifest` makes of them. */
export async function outputs(files: Record<string, Uint8Array | string>): Promise<OutputSet> {
  const dir = mkdtempSync(join(tmpdir(), "plasma-compare-"));
  created.push(dir);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return { dir, manifest: await buildManifest(dir, Object.keys(files)) };
}

export const tolerance = (atol: number, rtol: number): VerificationSpec => ({ mode: "tolerance", atol, rtol });

/** Writes both sides' files and compares them: expected is the provider's side, actual the re-execution's. */
export async function compareFiles(
  spec: VerificationSpec,
  expected: Record<string, Uint8Array | string>,
  actual: Record<string, Uint8Array | string>,
): Promise<Verdict> {
  return compareOutputs(spec, await outputs(expected), await outputs(actual));
}

type Sample = readonly (number | bigint)[];

/**
 * For each dtype: expected values, actual values within tolerance (bytes differ), and actual values with the
 * element at index 2 beyond it, under one atol and rtol.
 */
export const TOLERANCE_CASES: Record<
  DType,
  { expected: Sample; within: Sample; beyond: Sample; atol: number; rtol: number; maxAbsDiff: number }
> = (() => {
  // Values exact in every float type, bfloat16's 8 significant bits included.
  const float = {
    expected: [1, -2, 0.5, 96],
    within: [1.0078125, -2, 0.5, 96.5],
    beyond: [1, -2, 0.75, 96],
    atol: 0.01,
    rtol: 0.01,
    maxAbsDiff: 0.5,
  };
  const int = {
    expected: [1, -2, 5, 100],
    within: [2, -2, 5, 101],
    beyond: [1, -2, 8, 100],
    atol: 1,
    rtol: 0,
    maxAbsDiff: 1,
  };
  const uint = {
    expected: [1, 2, 5, 100],
    within: [2, 2, 5, 101],
    beyond: [1, 2, 8, 100],
    atol: 1,
    rtol: 0,
    maxAbsDiff: 1,
  };
  // 2^60 + 2 and 2^60 are the same float64: only a bigint subtraction tells them apart.
  const big = 2n ** 60n;
  const int64 = {
    expected: [1n, -2n, big, 100n],
    within: [2n, -2n, big, 101n],
    beyond: [1n, -2n, big + 2n, 100n],
    atol: 1,
    rtol: 0,
    maxAbsDiff: 1,
  };
  return {
    float16: float,
    bfloat16: float,
    float32: float,
    float64: float,
    int8: int,
    int16: int,
    int32: int,
    int64,
    uint8: uint,
    uint16: uint,
    uint32: uint,
    uint64: { ...int64, expected: [1n, 2n, big, 100n], within: [2n, 2n, big, 101n], beyond: [1n, 2n, big + 2n, 100n] },
    // A true stored as 2 is still true: bytes differ, values do not.
    bool: { expected: [0, 1, 1, 0], within: [0, 2, 1, 0], beyond: [0, 1, 0, 0], atol: 0.5, rtol: 0, maxAbsDiff: 0 },
  };
})();
