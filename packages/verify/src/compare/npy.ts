import type { FileHandle } from "node:fs/promises";
import { isDeepStrictEqual } from "node:util";
import { DTYPE_SIZE, type DType } from "./dtype.ts";
import { MalformedError, UnsupportedDtypeError } from "./errors.ts";
import { formatShape } from "./format.ts";
import { different, numericOutcome } from "./outcome.ts";
import { type PyValue, parsePyLiteral } from "./pyLiteral.ts";
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

/** What a .npy header says: the array's layout, plus the format version and memory order. */
export type NpyArray = TensorLayout & { version: string; fortranOrder: boolean };

const MAGIC = Buffer.from("\x93NUMPY", "latin1");

// NumPy's kind+size codes for the dtypes this package decodes; "b1" is bool.
const TYPE_CODES = new Map<string, DType>([
  ["f2", "float16"],
  ["f4", "float32"],
  ["f8", "float64"],
  ["i1", "int8"],
  ["i2", "int16"],
  ["i4", "int32"],
  ["i8", "int64"],
  ["u1", "uint8"],
  ["u2", "uint16"],
  ["u4", "uint32"],
  ["u8", "uint64"],
  ["b1", "bool"],
]);

function parseDescr(descr: PyValue | undefined): { dtype: DType; littleEndian: boolean } {
  if (Array.isArray(descr)) throw new UnsupportedDtypeError("structured dtypes are not supported");
  if (typeof descr !== "string") throw new MalformedError("the header's descr is not a dtype string");
  const dtype = TYPE_CODES.get(descr.slice(1));
  const order = descr[0];
  if (!dtype || !order || !"<>|=".includes(order)) throw new UnsupportedDtypeError(`dtype '${descr}' is not supported`);
  // NumPy writes '<' or '>' for multi-byte types; '|' or native '=' would leave the reader guessing.
  if (DTYPE_SIZE[dtype] > 1 && (order === "|" || order === "=")) {
    throw new MalformedError(`dtype '${descr}' does not state its byte order`);
  }
  return { dtype, littleEndian: order !== ">" };
}

/**
 * Reads and checks a .npy header (format versions 1.0, 2.0 and 3.0): the magic string, a header of at most
 * MAX_HEADER_BYTES within the file, a dict of exactly descr, fortran_order and shape, and data whose length is
 * exactly shape × dtype size. The data itself is left in the file: read it with `readValues`.
 */
export async function readNpy(file: FileHandle): Promise<NpyArray> {
  const { size } = await file.stat();
  if (size < 10) throw new MalformedError(`the file is ${size} bytes, too short for a .npy preamble`);
  const preamble = Buffer.alloc(Math.min(size, 12));
  await readFully(file, preamble, 0);
  if (!preamble.subarray(0, 6).equals(MAGIC)) throw new MalformedError("it does not start with the .npy magic string");
  const major = preamble.readUInt8(6);
  const version = `${major}.${preamble.readUInt8(7)}`;
  if (major < 1 || major > 3) throw new MalformedError(`.npy format version ${version} is not supported`);
  // Version 1.0 has a 2-byte header length; 2.0 and 3.0 a 4-byte one (3.0 differs only in a UTF-8 header).
  const lengthBytes = major === 1 ? 2 : 4;
  if (preamble.length < 8 + lengthBytes)
    throw new MalformedError(`the file is ${size} bytes, too short for a .npy preamble`);
  const headerLength = major === 1 ? preamble.readUInt16LE(8) : preamble.readUInt32LE(8);
  if (headerLength > MAX_HEADER_BYTES) {
    throw new MalformedError(`its header length ${headerLength} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  }
  const offset = 8 + lengthBytes + headerLength;
  if (offset > size) {
    throw new MalformedError(`its header length ${headerLength} runs past the end of the file (${size} bytes)`);
  }
  const headerBytes = Buffer.alloc(headerLength);
  await readFully(file, headerBytes, 8 + lengthBytes);
  let text: string;
  try {
    text = major === 3 ? new TextDecoder("utf-8", { fatal: true }).decode(headerBytes) : headerBytes.toString("latin1");
  } catch {
    throw new MalformedError("its version 3.0 header is not valid UTF-8");
  }

  const header = parsePyLiteral(text);
  if (!(header instanceof Map)) throw new MalformedError("its header is not a dict");
  const keys = [...header.keys()].sort().join(", ");
  if (keys !== "descr, fortran_order, shape") {
    throw new MalformedError(`its header has keys ${keys || "(none)"}, not descr, fortran_order and shape`);
  }
  const fortranOrder = header.get("fortran_order");
  if (typeof fortranOrder !== "boolean") throw new MalformedError("its header's fortran_order is not True or False");
  const { dtype, littleEndian } = parseDescr(header.get("descr"));
  const { shape, byteLength } = shapeByteLength(header.get("shape"), dtype, "the array");
  if (size - offset !== byteLength) {
    throw new MalformedError(
      `its data is ${size - offset} bytes where shape ${formatShape(shape)} of ${dtype} takes ${byteLength}`,
    );
  }
  return { version, dtype, littleEndian, shape, offset, byteLength, fortranOrder };
}

const order = (array: NpyArray) => (array.fortranOrder ? "Fortran" : "C");

/**
 * Compares two .npy arrays element by element. Dtype, shape and memory order must match; byte order may differ.
 * Both sides being in Fortran order is fine: elements then pair up in storage order just the same.
 */
export async function compareNpy(
  expected: Opened<NpyArray>,
  actual: Opened<NpyArray>,
  tolerance: Tolerance,
): Promise<FileOutcome> {
  const [b, a] = [expected.content, actual.content];
  if (a.dtype !== b.dtype) return different(`has dtype ${a.dtype} where ${b.dtype} was expected`);
  if (!isDeepStrictEqual(a.shape, b.shape)) {
    return different(`has shape ${formatShape(a.shape)} where ${formatShape(b.shape)} was expected`);
  }
  if (a.fortranOrder !== b.fortranOrder) return different(`is in ${order(a)} order where ${order(b)} was expected`);
  const tally = new ToleranceTally(tolerance);
  await tallyTensors({ file: expected.file, layout: b }, { file: actual.file, layout: a }, tally);
  return numericOutcome(tally, "element", tally.first && formatIndex(tally.first.ordinal, b.shape, b.fortranOrder));
}
