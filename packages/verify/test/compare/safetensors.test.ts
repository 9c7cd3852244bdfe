import assert from "node:assert/strict";
import { open } from "node:fs/promises";
import { describe, it } from "node:test";
import { MAX_HEADER_BYTES, readSafetensors, readValues } from "../../src/compare/index.ts";
import {
  compareFiles,
  DTYPES,
  encode,
  outputs,
  safetensors,
  safetensorsFile,
  TOLERANCE_CASES,
  tolerance,
  uint16s,
} from "./fixtures.ts";

describe("readSafetensors", () => {
  it("reads the header's tensors, with offsets made absolute, and the metadata", async () => {
    const bytes = safetensors(
      { a: { dtype: "float32", values: [1, 2, 3, 4], shape: [2, 2] }, b: { dtype: "int64", values: [7n] } },
      { format: "pt" },
    );
    const { dir } = await outputs({ "m.safetensors": bytes });
    const file = await open(`${dir}/m.safetensors`);
    try {
      const { tensors, metadata } = await readSafetensors(file);
      assert.deepEqual(Object.fromEntries(metadata), { format: "pt" });
      const headerEnd = 8 + Number(bytes.readBigUInt64LE(0));
      assert.deepEqual(tensors.get("a"), {
        dtype: "float32",
        littleEndian: true,
        shape: [2, 2],
        offset: headerEnd,
        byteLength: 16,
      });
      const b = tensors.get("b");
      assert.ok(b);
      const values = [];
      for await (const chunk of readValues(file, b)) values.push(...chunk);
      assert.deepEqual(values, [7n]);
    } finally {
      await file.close();
    }
  });
});

describe(".safetensors with tolerance", () => {
  for (const dtype of DTYPES) {
    const { expected, within, beyond, atol, rtol, maxAbsDiff } = TOLERANCE_CASES[dtype];
    it(`${dtype}: matches within atol+rtol·|b| and names the tensor and element beyond it`, async () => {
      const file = (values: typeof expected) =>
        safetensors({ bias: { dtype: "float32", values: [0.5] }, weight: { dtype, values, shape: [2, 2] } });
      const spec = tolerance(atol, rtol);
      const ok = await compareFiles(spec, { "m.safetensors": file(expected) }, { "m.safetensors": file(within) });
      assert.equal(ok.files[0]?.status, "within-tolerance", ok.summary);
      assert.equal(ok.files[0]?.numeric?.compared, 5);
      assert.equal(ok.files[0]?.numeric?.maxAbsDiff, maxAbsDiff);

      const bad = await compareFiles(spec, { "m.safetensors": file(expected) }, { "m.safetensors": file(beyond) });
      assert.equal(bad.files[0]?.status, "different");
      assert.match(
        bad.summary,
        /^mismatch: m\.safetensors differs at 1 of 5 elements .*first at tensor "weight" \[1, 0\]: /,
      );
    });
  }

  it("decodes bfloat16 bit patterns from a file", async () => {
    const file = (data: Buffer) =>
      // Indented JSON: the same header in other bytes, so that the two files' hashes differ.
      safetensorsFile(JSON.stringify({ t: { dtype: "BF16", shape: [3], data_offsets: [0, 6] } }, null, 1), data);
    const verdict = await compareFiles(
      tolerance(0, 0),
      { "m.safetensors": file(uint16s([0x3f80, 0xc000, 0x7f80])) },
      { "m.safetensors": safetensors({ t: { dtype: "bfloat16", values: [1, -2, Infinity] } }) },
    );
    assert.equal(verdict.files[0]?.status, "within-tolerance", verdict.summary);
    assert.equal(verdict.files[0]?.numeric?.maxAbsDiff, 0);
  });

  it("pairs tensors by name, whatever their order in the file", async () => {
    const verdict = await compareFiles(
      tolerance(0, 0),
      { "m.safetensors": safetensors({ a: { dtype: "float32", values: [1] }, b: { dtype: "float32", values: [2] } }) },
      { "m.safetensors": safetensors({ b: { dtype: "float32", values: [2] }, a: { dtype: "float32", values: [1] } }) },
    );
    assert.equal(verdict.match, true, verdict.summary);
  });

  it("requires the same tensor names, dtypes and shapes, and identical metadata", async () => {
    const spec = tolerance(1, 1);
    const base = { w: { dtype: "float32", values: [1, 2] } } as const;
    const cases: [Buffer, Buffer, string][] = [
      [
        safetensors(base),
        safetensors({ ...base, x: { dtype: "float32", values: [1] } }),
        'has tensor "x", which was not expected',
      ],
      [safetensors({ ...base, x: { dtype: "float32", values: [1] } }), safetensors(base), 'lacks tensor "x"'],
      [
        safetensors(base),
        safetensors({ w: { dtype: "float64", values: [1, 2] } }),
        'has tensor "w" of float64 where float32 was expected',
      ],
      [
        safetensors(base),
        safetensors({ w: { dtype: "float32", values: [1, 2], shape: [2, 1] } }),
        'has tensor "w" of shape (2, 1) where (2,) was expected',
      ],
      [
        safetensors(base, { step: "1" }),
        safetensors(base, { step: "2" }),
        'has __metadata__ "step" = "2" where "1" was expected',
      ],
      [safetensors(base, { step: "1" }), safetensors(base), 'has __metadata__ "step" = null where "1" was expected'],
    ];
    for (const [expected, actual, reason] of cases) {
      const verdict = await compareFiles(spec, { "m.safetensors": expected }, { "m.safetensors": actual });
      assert.equal(verdict.files[0]?.status, "different");
      assert.equal(verdict.files[0]?.reason, reason);
    }
  });
});

describe("malformed .safetensors", () => {
  const good = safetensors({ w: { dtype: "float32", values: [1, 2, 3] } });
  const tensor = (dtype: string, shape: unknown, offsets: unknown) => ({ dtype, shape, data_offsets: offsets });
  const data = encode("float32", [1, 2, 3, 4]);
  const longHeader = Buffer.alloc(16);
  longHeader.writeBigUInt64LE(BigInt(MAX_HEADER_BYTES + 1));
  const pastEnd = Buffer.from(good);
  pastEnd.writeBigUInt64LE(10_000n);
  const cases: [string, Buffer, RegExp][] = [
    ["a file shorter than the header length", Buffer.alloc(5), /the file is 5 bytes, too short/],
    ["a header over 1 MiB", longHeader, /header length 1048577 exceeds the 1048576-byte limit/],
    ["a header length beyond the file", pastEnd, /header length 10000 runs past the end of the file/],
    ["a header of invalid JSON", safetensorsFile('{"w": {', data), /its header is not valid UTF-8 JSON/],
    ["a header that is not an object", safetensorsFile("[]", data), /its header is not a JSON object/],
    [
      "offsets beyond the data",
      safetensorsFile({ w: tensor("F32", [4], [4, 20]) }, data),
      /tensor "w" has data_offsets \[4, 20\] outside the 16 data bytes/,
    ],
    [
      "overlapping tensors",
      safetensorsFile({ a: tensor("F32", [2], [0, 8]), b: tensor("F32", [3], [4, 16]) }, data),
      /tensors "a" and "b" overlap/,
    ],
    [
      "a gap between tensors",
      safetensorsFile({ a: tensor("F32", [1], [0, 4]), b: tensor("F32", [2], [8, 16]) }, data),
      /data bytes 4–8 belong to no tensor/,
    ],
    [
      "bytes after the last tensor",
      safetensorsFile({ a: tensor("F32", [3], [0, 12]) }, data),
      /data bytes 12–16 belong to no tensor/,
    ],
    [
      "a byte size unlike shape × dtype",
      safetensorsFile({ a: tensor("F32", [2], [0, 16]) }, data),
      /tensor "a" spans 16 bytes where shape \(2,\) of F32 takes 8/,
    ],
    [
      "a shape too large to exist",
      safetensorsFile({ a: tensor("F64", [2 ** 40, 2 ** 40], [0, 16]) }, data),
      /tensor "a" has an impossibly large shape/,
    ],
    [
      "a negative dimension",
      safetensorsFile({ a: tensor("F32", [-4], [0, 16]) }, data),
      /tensor "a" has shape \[-4\], not a list of non-negative integers/,
    ],
    [
      "offsets that are not two integers",
      safetensorsFile({ a: tensor("F32", [4], [0]) }, data),
      /tensor "a" has data_offsets \[0\], not two non-negative integers/,
    ],
    [
      "reversed offsets",
      safetensorsFile({ a: tensor("F32", [0], [16, 0]) }, data),
      /tensor "a" has data_offsets \[16, 0\] outside the 16 data bytes/,
    ],
    [
      "a tensor without a dtype",
      safetensorsFile({ a: { shape: [4], data_offsets: [0, 16] } }, data),
      /tensor "a" has no dtype string/,
    ],
    [
      "metadata that is not strings",
      safetensorsFile({ __metadata__: { step: 1 } }),
      /its __metadata__ is not an object of strings/,
    ],
  ];
  for (const [name, bytes, reason] of cases) {
    it(`reports ${name} as malformed`, async () => {
      const verdict = await compareFiles(tolerance(1, 1), { "m.safetensors": good }, { "m.safetensors": bytes });
      assert.equal(verdict.match, false);
      assert.equal(verdict.files[0]?.status, "malformed", verdict.summary);
      assert.match(verdict.summary, /^mismatch: m\.safetensors is malformed in the actual outputs: /);
      assert.match(verdict.files[0]?.reason ?? "", reason);
    });
  }

  it("reports dtypes it does not decode as different", async () => {
    const f8 = (byte: number) => safetensorsFile({ a: tensor("F8_E4M3", [1], [0, 1]) }, Buffer.from([byte]));
    const verdict = await compareFiles(tolerance(1, 1), { "m.safetensors": f8(1) }, { "m.safetensors": f8(2) });
    assert.equal(verdict.files[0]?.status, "different");
    assert.equal(
      verdict.files[0]?.reason,
      'differs byte for byte and tensor "a" has dtype "F8_E4M3", which is not supported',
    );
  });
});
