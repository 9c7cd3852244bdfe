import type { FileHandle } from "node:fs/promises";
import { DTYPE_SIZE, type DType, decode, type Values } from "./dtype.ts";
import { MalformedError } from "./errors.ts";
import type { ToleranceTally } from "./tolerance.ts";

/** Where one tensor's elements lie in a file and how to decode them (C or Fortran order is the format's business). */
export type TensorLayout = {
  dtype: DType;
  littleEndian: boolean;
  shape: number[];
  /** Byte offset of the first element in the file. */
  offset: number;
  /** Bytes the elements take: element count × dtype size. */
  byteLength: number;
};

/** A tensor file's header is parsed in memory: refuse larger ones before allocating for them. */
export const MAX_HEADER_BYTES = 1024 * 1024;

/** Values are decoded this many bytes at a time, so memory does not grow with tensor size. */
const CHUNK_BYTES = 1024 * 1024;

/** Fills `buffer` from `position`; a file ending first is shorter than its header says. */
export async function readFully(file: FileHandle, buffer: Uint8Array, position: number): Promise<void> {
  for (let filled = 0; filled < buffer.byteLength; ) {
    const { bytesRead } = await file.read(buffer, filled, buffer.byteLength - filled, position + filled);
    if (bytesRead === 0) throw new MalformedError(`the file ends at byte ${position + filled}, before its data does`);
    filled += bytesRead;
  }
}

/**
 * A shape's byte length for `dtype`, checking that each dimension is a non-negative integer and the total a safe
 * integer (a hostile header could otherwise declare 2^64 elements). `what` names the tensor in the error.
 */
export function shapeByteLength(shape: unknown, dtype: DType, what: string): { shape: number[]; byteLength: number } {
  if (!Array.isArray(shape) || !shape.every((dim) => Number.isSafeInteger(dim) && dim >= 0)) {
    throw new MalformedError(`${what} has shape ${JSON.stringify(shape)}, not a list of non-negative integers`);
  }
  const byteLength = shape.reduce((bytes: number, dim: number) => bytes * dim, DTYPE_SIZE[dtype]);
  if (!Number.isSafeInteger(byteLength)) throw new MalformedError(`${what} has an impossibly large shape`);
  return { shape, byteLength };
}

/** Yields a tensor's elements in storage order, one bounded chunk at a time. */
export async function* readValues(file: FileHandle, layout: TensorLayout): AsyncGenerator<Values> {
  const chunk = new Uint8Array(Math.min(CHUNK_BYTES, layout.byteLength));
  // CHUNK_BYTES is a multiple of every dtype size, so no element straddles two chunks.
  for (let done = 0; done < layout.byteLength; done += chunk.byteLength) {
    const bytes = chunk.subarray(0, Math.min(chunk.byteLength, layout.byteLength - done));
    await readFully(file, bytes, layout.offset + done);
    yield decode(layout.dtype, layout.littleEndian, bytes);
  }
}

/**
 * Streams two tensors of the same dtype and shape through `tally`, in storage order. Their byte orders may differ:
 * each side is decoded with its own.
 */
export async function tallyTensors(
  expected: { file: FileHandle; layout: TensorLayout },
  actual: { file: FileHandle; layout: TensorLayout },
  tally: ToleranceTally,
): Promise<void> {
  const expectedValues = readValues(expected.file, expected.layout);
  const actualValues = readValues(actual.file, actual.layout);
  for (;;) {
    const [b, a] = await Promise.all([expectedValues.next(), actualValues.next()]);
    if (b.done || a.done) return;
    tally.addAll(b.value, a.value);
  }
}

/** The multi-index of the element at `ordinal` in storage order, e.g. "[3, 7]". */
export function formatIndex(ordinal: number, shape: readonly number[], fortranOrder = false): string {
  const index = new Array<number>(shape.length).fill(0);
  const axes = [...shape.keys()];
  if (!fortranOrder) axes.reverse(); // C order: the last axis varies fastest
  let rest = ordinal;
  for (const axis of axes) {
    const dim = shape[axis] ?? 1;
    index[axis] = rest % dim;
    rest = Math.floor(rest / dim);
  }
  return `[${index.join(", ")}]`;
}
