import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { compareFiles, npy, tolerance } from "./fixtures.ts";

// Values and tolerances where float64 rounding (≤ 1e-13 here) is far below the margins the properties leave.
const values = fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 1, maxLength: 64 });
const atol = fc.double({ min: 1e-6, max: 1, noNaN: true });
const rtol = fc.double({ min: 0, max: 0.1, noNaN: true });
const fraction = fc.double({ min: -1, max: 1, noNaN: true });

describe("tolerance mode, for random float arrays", () => {
  it("matches when every element moves by less than atol", async () => {
    await fc.assert(
      fc.asyncProperty(
        values,
        atol,
        rtol,
        fc.array(fraction, { minLength: 64, maxLength: 64 }),
        async (b, atol, rtol, moves) => {
          const a = b.map((x, i) => x + ((moves[i] ?? 0) * atol) / 2);
          const verdict = await compareFiles(
            tolerance(atol, rtol),
            { "w.npy": npy("float64", b) },
            { "w.npy": npy("float64", a) },
          );
          assert.equal(verdict.match, true, verdict.summary);
          assert.ok((verdict.files[0]?.numeric?.maxAbsDiff ?? 0) <= atol);
        },
      ),
      { numRuns: 100 },
    );
  });

  it("does not match when one element moves by more than atol+rtol·|b|", async () => {
    await fc.assert(
      fc.asyncProperty(values, atol, rtol, fc.nat(), fc.boolean(), async (b, atol, rtol, pick, up) => {
        const at = pick % b.length;
        const a = b.map((x, i) => (i === at ? x + (up ? 1 : -1) * 1.5 * (atol + rtol * Math.abs(x)) : x));
        const verdict = await compareFiles(
          tolerance(atol, rtol),
          { "w.npy": npy("float64", b) },
          { "w.npy": npy("float64", a) },
        );
        assert.equal(verdict.match, false);
        assert.equal(verdict.files[0]?.numeric?.outOfTolerance, 1);
        assert.match(
          verdict.summary,
          new RegExp(`^mismatch: w\\.npy differs at 1 of ${b.length} elements? .*first at \\[${at}\\]`),
        );
      }),
      { numRuns: 100 },
    );
  });
});
