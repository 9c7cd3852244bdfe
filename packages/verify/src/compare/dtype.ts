/// <reference lib="es2025.float16" />
// Node 24 decodes IEEE half floats natively (DataView#getFloat16); the project's default lib is ES2024.

/** The element types the comparator decodes, named as NumPy names them. */
export type DType =
  | "float16"
  | "bfloat16"
  | "float32"
  | "float64"
  | "int8"
  | "int16"
  | "int32"
  | "int64"
  | "uint8"
  | "uint16"
  | "uint32"
  | "uint64"
  | "bool";

/** Decoded elements. 64-bit integers stay bigint so that values beyond 2^53 compare exactly. */
export type Values = Float64Array | BigInt64Array | BigUint64Array;

export const DTYPE_SIZE: Record<DType, number> = {
  float16: 2,
  bfloat16: 2,
  float32: 4,
  float64: 8,
  int8: 1,
  int16: 2,
  int32: 4,
  int64: 8,
  uint8: 1,
  uint16: 2,
  uint32: 4,
  uint64: 8,
  bool: 1,
};

type NumberReader = (view: DataView, offset: number, littleEndian: boolean) => number;

const bfloat16Scratch = new DataView(new ArrayBuffer(4));

const NUMBER_READERS: Record<Exclude<DType, "int64" | "uint64">, NumberReader> = {
  float16: (view, offset, littleEndian) => view.getFloat16(offset, littleEndian),
  // bfloat16 is the upper half of a float32: widen it and let the platform decode the float32.
  bfloat16: (view, offset, littleEndian) => {
    bfloat16Scratch.setUint32(0, view.getUint16(offset, littleEndian) * 0x10000);
    return bfloat16Scratch.getFloat32(0);
  },
  float32: (view, offset, littleEndian) => view.getFloat32(offset, littleEndian),
  float64: (view, offset, littleEndian) => view.getFloat64(offset, littleEndian),
  int8: (view, offset) => view.getInt8(offset),
  int16: (view, offset, littleEndian) => view.getInt16(offset, littleEndian),
  int32: (view, offset, littleEndian) => view.getInt32(offset, littleEndian),
  uint8: (view, offset) => view.getUint8(offset),
  uint16: (view, offset, littleEndian) => view.getUint16(offset, littleEndian),
  uint32: (view, offset, littleEndian) => view.getUint32(offset, littleEndian),
  // Any non-zero byte is true, as NumPy reads it.
  bool: (view, offset) => (view.getUint8(offset) === 0 ? 0 : 1),
};

/** Decodes `bytes`, a whole number of `dtype` elements stored with the given byte order. */
export function decode(dtype: DType, littleEndian: boolean, bytes: Uint8Array): Values {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = DTYPE_SIZE[dtype];
  const count = Math.floor(bytes.byteLength / size);
  if (dtype === "int64" || dtype === "uint64") {
    const values = dtype === "int64" ? new BigInt64Array(count) : new BigUint64Array(count);
    const read = dtype === "int64" ? view.getBigInt64.bind(view) : view.getBigUint64.bind(view);
    for (let i = 0; i < count; i++) values[i] = read(i * size, littleEndian);
    return values;
  }
  const read = NUMBER_READERS[dtype];
  const values = new Float64Array(count);
  for (let i = 0; i < count; i++) values[i] = read(view, i * size, littleEndian);
  return values;
}
