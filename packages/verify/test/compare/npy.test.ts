import assert from "node:assert/strict";
import { open } from "node:fs/promises";
import { describe, it } from "node:test";
import { MAX_HEADER_BYTES, readNpy, readValues } from "../../src/compare/index.ts";
import { compareFiles, DTYPES, encode, npy, npyFile, outputs, TOLERANCE_CASES, tolerance } from "./fixtures.ts";

async function readBack(bytes: Buffer) {
  const { dir } = await outputs({ "a.npy": bytes });
  const file = await open(`${dir}/a.npy`);
  try {
    const array = await readNpy(file);
    const values: (number | bigint)[] = [];
    for await (const chunk of readValues(file, array)) values.push(...chunk);
    return { array, values };
  } finally {
    await file.close();
  }
}

describe("readNpy", () => {
  it("reads format versions 1.0, 2.0 and 3.0", async () => {
    for (const version of [1, 2, 3] as const) {
      const { array, values } = await readBack(npyFile("<i4", [2, 2], encode("int32", [1, 2, 3, 4]), { version }));
      assert.equal(array.version, `${version}.0`);
      assert.deepEqual(array.shape, [2, 2]);
      assert.deepEqual(values, [1, 2, 3, 4]);
    }
  });

  it("reads big-endian data, scalars, empty arrays and the memory order", async () => {
    const big = await readBack(npy("float64", [1.5, -2], { littleEndian: false }));
    assert.equal(big.array.littleEndian, false);
    assert.deepEqual(big.values, [1.5, -2]);
    const scalar = await readBack(npyFile("<f8", [], encode("float64", [3.5])));
    assert.deepEqual([scalar.array.shape, scalar.values], [[], [3.5]]);
    const empty = await readBack(npyFile("<f4", [0, 3], Buffer.alloc(0)));
    assert.deepEqual([empty.array.byteLength, empty.values], [0, []]);
    const fortran = await readBack(
      npyFile("<f4", [2, 3], encode("float32", [0, 1, 2, 3, 4, 5]), { fortranOrder: true }),
    );
    assert.equal(fortran.array.fortranOrder, true);
  });

  it("reads half-precision bit patterns from a file", async () => {
    const { values } = await readBack(npyFile("<f2", [3], Buffer.from([0x00, 0x3c, 0x00, 0xc0, 0x00, 0x7c])));
    assert.deepEqual(values, [1, -2, Infinity]);
  });
});

describe(".npy with tolerance", () => {
  for (const dtype of DTYPES.filter((d) => d !== "bfloat16")) {
    const { expected, within, beyond, atol, rtol, maxAbsDiff } = TOLERANCE_CASES[dtype];
    it(`${dtype}: matches within atol+rtol·|b| and names the element beyond it`, async () => {
      const ok = await compareFiles(
        tolerance(atol, rtol),
        { "w.npy": npy(dtype, expected) },
        { "w.npy": npy(dtype, within) },
      );
      assert.equal(ok.match, true, ok.summary);
      assert.equal(ok.files[0]?.status, "within-tolerance");
      assert.deepEqual(ok.files[0]?.numeric, {
        compared: 4,
        outOfTolerance: 0,
        maxAbsDiff,
        maxRelDiff: ok.files[0]?.numeric?.maxRelDiff,
      });

      const bad = await compareFiles(
        tolerance(atol, rtol),
        { "w.npy": npy(dtype, expected) },
        { "w.npy": npy(dtype, beyond) },
      );
      assert.equal(bad.match, false);
      assert.equal(bad.files[0]?.status, "different");
      assert.equal(bad.files[0]?.numeric?.outOfTolerance, 1);
      assert.match(bad.summary, /^mismatch: w\.npy differs at 1 of 4 elements \(max \|Δ\| .*; first at \[2\]: /);
    });
  }

  it("summarises a match with the tolerance and the largest difference", async () => {
    const verdict = await compareFiles(
      tolerance(1e-5, 1e-4),
      { "a.txt": "same", "b.npy": npy("float64", [1, 2]), "w.npy": npy("float64", [1, 2, 3]) },
      { "a.txt": "same", "b.npy": npy("float64", [1, 2]), "w.npy": npy("float64", [1, 2, 3 + 3.1e-7]) },
    );
    assert.equal(verdict.summary, "match: 3 files, 2 identical, 1 within atol=1e-5 rtol=1e-4 (max |Δ| 3.1e-7)");
  });

  it("explains the first violation with its values and bound, by multi-index", async () => {
    const expected = npy("float32", [0, 1, 2, 3, 4, 5], { shape: [2, 3] });
    const actual = npy("float32", [0, 1, 2, 3, 4, 5.5], { shape: [2, 3] });
    const verdict = await compareFiles(tolerance(0.1, 0), { "out/w.npy": expected }, { "out/w.npy": actual });
    assert.equal(
      verdict.summary,
      "mismatch: out/w.npy differs at 1 of 6 elements (max |Δ| 0.5; first at [1, 2]: 5.5 vs expected 5: |Δ| 0.5 > atol+rtol·|b| = 0.1)",
    );
  });

  it("scales the tolerance by the expected value, not the actual one (numpy's isclose)", async () => {
    const spec = tolerance(0, 0.5);
    const near = await compareFiles(spec, { "w.npy": npy("float64", [2]) }, { "w.npy": npy("float64", [1]) });
    assert.equal(near.match, true); // |1 − 2| = 1 ≤ 0.5·|2|
    const far = await compareFiles(spec, { "w.npy": npy("float64", [1]) }, { "w.npy": npy("float64", [2]) });
    assert.equal(far.match, false); // |2 − 1| = 1 > 0.5·|1|
    assert.equal(far.files[0]?.numeric?.maxRelDiff, 1);
  });

  it("compares values, not bytes: a big-endian copy of the same values is within tolerance", async () => {
    const values = [1.5, -2, 1e30];
    const verdict = await compareFiles(
      tolerance(0, 0),
      { "w.npy": npy("float32", values) },
      { "w.npy": npy("float32", values, { littleEndian: false }) },
    );
    assert.equal(verdict.files[0]?.status, "within-tolerance");
    assert.equal(verdict.files[0]?.numeric?.maxAbsDiff, 0);
  });

  it("requires NaN at the same positions, and equal infinities", async () => {
    const spec = tolerance(1, 1);
    const same = await compareFiles(
      spec,
      { "w.npy": npy("float32", [Number.NaN, Infinity, -Infinity, 0, 1]) },
      { "w.npy": npy("float32", [Number.NaN, Infinity, -Infinity, -0, 1.5]) },
    );
    assert.equal(same.match, true, same.summary);
    const moved = await compareFiles(
      spec,
      { "w.npy": npy("float32", [Number.NaN, 1]) },
      { "w.npy": npy("float32", [1, Number.NaN]) },
    );
    assert.equal(moved.files[0]?.numeric?.outOfTolerance, 2);
    assert.match(moved.summary, /first at \[0\]: 1 vs expected NaN: NaN must meet NaN at the same position/);
    // rtol·|b| is infinite where b is: still no match for a finite value.
    const infinite = await compareFiles(
      spec,
      { "w.npy": npy("float64", [Infinity]) },
      { "w.npy": npy("float64", [1e308]) },
    );
    assert.equal(infinite.match, false);
    assert.match(infinite.summary, /infinities must be equal exactly/);
    assert.equal(infinite.files[0]?.numeric?.maxAbsDiff, Infinity);
  });

  it("refuses different shapes, dtypes or memory orders", async () => {
    const spec = tolerance(1, 1);
    const shape = await compareFiles(
      spec,
      { "w.npy": npy("float32", [1, 2, 3, 4], { shape: [2, 2] }) },
      { "w.npy": npy("float32", [1, 2, 3, 4], { shape: [4] }) },
    );
    assert.equal(shape.summary, "mismatch: w.npy has shape (4,) where (2, 2) was expected");
    const dtype = await compareFiles(spec, { "w.npy": npy("float32", [1]) }, { "w.npy": npy("float64", [1]) });
    assert.equal(dtype.summary, "mismatch: w.npy has dtype float64 where float32 was expected");
    const data = encode("float32", [1, 2, 3, 4]);
    const order = await compareFiles(
      spec,
      { "w.npy": npyFile("<f4", [2, 2], data) },
      { "w.npy": npyFile("<f4", [2, 2], data, { fortranOrder: true }) },
    );
    assert.equal(order.summary, "mismatch: w.npy is in Fortran order where C was expected");
  });

  it("compares two Fortran-order arrays element by element and locates differences in Fortran order", async () => {
    // Stored column by column: [[0, 2, 4], [1, 3, 5]]; the 6th stored element is [1, 2].
    const expected = npyFile("<f8", [2, 3], encode("float64", [0, 1, 2, 3, 4, 5]), { fortranOrder: true });
    const actual = npyFile("<f8", [2, 3], encode("float64", [0, 1, 2, 3, 4, 9]), { fortranOrder: true });
    const verdict = await compareFiles(tolerance(0.1, 0), { "w.npy": expected }, { "w.npy": actual });
    assert.match(verdict.summary, /differs at 1 of 6 elements .*first at \[1, 2\]: 9 vs expected 5/);
  });

  it("streams arrays larger than one read chunk", async () => {
    const count = 300_000; // 2.4 MB of float64
    const expected = Array.from({ length: count }, (_, i) => Math.sin(i));
    const actual = expected.map((x, i) => (i === count - 1 ? x + 1 : x + 1e-9));
    const verdict = await compareFiles(
      tolerance(1e-6, 0),
      { "w.npy": npy("float64", expected) },
      { "w.npy": npy("float64", actual) },
    );
    assert.equal(verdict.files[0]?.numeric?.compared, count);
    assert.equal(verdict.files[0]?.numeric?.outOfTolerance, 1);
    assert.match(verdict.summary, new RegExp(`first at \\[${count - 1}\\]`));
  });
});

describe("malformed .npy", () => {
  const good = npy("float32", [1, 2, 3]);
  const headerLengthAt = (bytes: Buffer, length: number, width: 2 | 4 = 2) => {
    const copy = Buffer.from(bytes);
    if (width === 2) copy.writeUInt16LE(length, 8);
    else copy.writeUInt32LE(length, 8);
    return copy;
  };
  const cases: [string, Buffer, RegExp][] = [
    [
      "a truncated file",
      good.subarray(0, good.length - 1),
      /its data is 11 bytes where shape \(3,\) of float32 takes 12/,
    ],
    [
      "trailing bytes",
      Buffer.concat([good, Buffer.alloc(4)]),
      /its data is 16 bytes where shape \(3,\) of float32 takes 12/,
    ],
    ["a file shorter than the preamble", good.subarray(0, 7), /the file is 7 bytes, too short for a \.npy preamble/],
    [
      "a bad magic string",
      Buffer.concat([Buffer.from("NOTNPY"), good.subarray(6)]),
      /does not start with the \.npy magic string/,
    ],
    [
      "an unknown format version",
      Buffer.concat([good.subarray(0, 6), Buffer.from([4, 0]), good.subarray(8)]),
      /version 4\.0 is not supported/,
    ],
    [
      "a header length beyond the file",
      headerLengthAt(good, 5000),
      /header length 5000 runs past the end of the file \(140 bytes\)/,
    ],
    [
      "a header over 1 MiB",
      headerLengthAt(npyFile("<f4", [1], encode("float32", [1]), { version: 2 }), MAX_HEADER_BYTES + 1, 4),
      /header length 1048577 exceeds the 1048576-byte limit/,
    ],
    [
      "code in the header",
      npyFile("<f4", [3], encode("float32", [1, 2, 3]), { header: "{'descr': __import__('os').system('id')}" }),
      /the header is not a Python literal: unexpected character/,
    ],
    [
      "a header that is not a dict",
      npyFile("<f4", [3], encode("float32", [1, 2, 3]), { header: "[1, 2]" }),
      /its header is not a dict/,
    ],
    [
      "a header without shape",
      npyFile("", [], Buffer.alloc(0), { header: "{'descr': '<f4', 'fortran_order': False}" }),
      /its header has keys descr, fortran_order, not descr, fortran_order and shape/,
    ],
    [
      "a negative dimension",
      npyFile("<f4", [], Buffer.alloc(0), { header: "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}" }),
      /not a Python literal: unexpected character/,
    ],
    [
      "a shape that is not a tuple",
      npyFile("<f4", [], encode("float32", [1, 2, 3]), {
        header: "{'descr': '<f4', 'fortran_order': False, 'shape': (3)}",
      }),
      /the array has shape 3, not a list of non-negative integers/,
    ],
    [
      "a shape too large to exist",
      npyFile("<f8", [2 ** 40, 2 ** 40], Buffer.alloc(0)),
      /the array has an impossibly large shape/,
    ],
    [
      "nesting too deep",
      npyFile("<f4", [], Buffer.alloc(0), { header: `{'shape': ${"(".repeat(100)}` }),
      /nesting too deep/,
    ],
    [
      "a duplicate key",
      npyFile("<f4", [], Buffer.alloc(0), { header: "{'descr': '<f4', 'descr': '<f8'}" }),
      /duplicate key 'descr'/,
    ],
    [
      "a multi-byte dtype without byte order",
      npyFile("=f4", [3], encode("float32", [1, 2, 3])),
      /dtype '=f4' does not state its byte order/,
    ],
    [
      "fortran_order that is not a boolean",
      npyFile("<f4", [], Buffer.alloc(0), { header: "{'descr': '<f4', 'fortran_order': 0, 'shape': ()}" }),
      /fortran_order is not True or False/,
    ],
    [
      "a version 3.0 header that is not UTF-8",
      (() => {
        const bytes = npyFile("<f4", [1], encode("float32", [1]), { version: 3 });
        bytes[13] = 0xff; // inside the quoted key 'descr'
        return bytes;
      })(),
      /its version 3\.0 header is not valid UTF-8/,
    ],
  ];
  for (const [name, bytes, reason] of cases) {
    it(`reports ${name} as malformed, naming the file and the side`, async () => {
      const verdict = await compareFiles(tolerance(1, 1), { "out/w.npy": good }, { "out/w.npy": bytes });
      assert.equal(verdict.match, false);
      assert.equal(verdict.files[0]?.status, "malformed", verdict.summary);
      assert.match(verdict.summary, /^mismatch: out\/w\.npy is malformed in the actual outputs: /);
      assert.match(verdict.files[0]?.reason ?? "", reason);
    });
  }

  it("attributes a malformed expected file to the expected side", async () => {
    const verdict = await compareFiles(tolerance(1, 1), { "w.npy": good.subarray(0, 20) }, { "w.npy": good });
    assert.match(verdict.summary, /^mismatch: w\.npy is malformed in the expected outputs: /);
  });

  it("reports dtypes it does not decode as different, not within tolerance", async () => {
    const complex = (x: number) => npyFile("<c8", [1], encode("float32", [x, 0]));
    const verdict = await compareFiles(tolerance(1, 1), { "z.npy": complex(1) }, { "z.npy": complex(1.5) });
    assert.equal(verdict.files[0]?.status, "different");
    assert.equal(verdict.files[0]?.reason, "differs byte for byte and dtype '<c8' is not supported");
    const structured = npyFile("", [1], Buffer.alloc(8), {
      header: "{'descr': [('x', '<f4'), ('y', '<f4')], 'fortran_order': False, 'shape': (1,), }",
    });
    const verdict2 = await compareFiles(tolerance(1, 1), { "s.npy": structured }, { "s.npy": complex(1) });
    assert.equal(verdict2.files[0]?.reason, "differs byte for byte and structured dtypes are not supported");
  });
});
