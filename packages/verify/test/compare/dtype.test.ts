import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decode } from "../../src/compare/index.ts";
import { DTYPES, encode, uint16s } from "./fixtures.ts";

describe("decoding element types", () => {
  it("decodes IEEE half-precision bit patterns", () => {
    const patterns = [0x3c00, 0xc000, 0x7c00, 0xfc00, 0x0000, 0x8000, 0x3555, 0x7bff, 0x0001, 0x0400, 0x7e00];
    const values = [...decode("float16", true, uint16s(patterns))];
    assert.deepEqual(values.slice(0, 10), [
      1,
      -2,
      Infinity,
      -Infinity,
      0,
      -0,
      0.333251953125,
      65504,
      2 ** -24,
      2 ** -14,
    ]);
    assert.ok(Number.isNaN(values[10]));
  });

  it("decodes bfloat16 bit patterns as the upper half of a float32", () => {
    const patterns = [0x3f80, 0xc000, 0x7f80, 0xff80, 0x4049, 0x0001, 0x7fc0];
    const values = [...decode("bfloat16", true, uint16s(patterns))];
    assert.deepEqual(values.slice(0, 6), [1, -2, Infinity, -Infinity, 3.140625, 2 ** -133]);
    assert.ok(Number.isNaN(values[6]));
  });

  it("honours the byte order", () => {
    assert.deepEqual([...decode("float16", false, Buffer.from([0x3c, 0x00]))], [1]);
    assert.deepEqual([...decode("bfloat16", false, Buffer.from([0x3f, 0x80]))], [1]);
    assert.deepEqual([...decode("int32", false, Buffer.from([0xff, 0xff, 0xff, 0xfe]))], [-2]);
    assert.deepEqual([...decode("uint16", true, Buffer.from([0x01, 0x02]))], [0x0201]);
  });

  it("keeps 64-bit integers exact beyond 2^53", () => {
    const big = [2n ** 63n - 1n, -(2n ** 63n), 2n ** 53n + 1n];
    assert.deepEqual([...decode("int64", true, encode("int64", big))], big);
    assert.deepEqual([...decode("uint64", false, encode("uint64", [2n ** 64n - 1n], false))], [2n ** 64n - 1n]);
  });

  it("reads any non-zero byte as true", () => {
    assert.deepEqual([...decode("bool", true, Buffer.from([0, 1, 2, 255]))], [0, 1, 1, 1]);
  });

  it("round-trips every dtype in both byte orders", () => {
    for (const dtype of DTYPES) {
      const values =
        dtype === "int64" || dtype === "uint64" ? [0n, 1n, 100n] : dtype === "bool" ? [0, 1, 0] : [0, 1, 100];
      for (const littleEndian of [true, false]) {
        assert.deepEqual([...decode(dtype, littleEndian, encode(dtype, values, littleEndian))], values, dtype);
      }
    }
  });
});
