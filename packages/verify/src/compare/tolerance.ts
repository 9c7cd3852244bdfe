import type { Values } from "./dtype.ts";
import { formatNumber } from "./format.ts";
import type { NumericStats, Tolerance } from "./types.ts";

/** The first pair found out of tolerance, by its ordinal in comparison order. */
export type Violation = { ordinal: number; expected: number | bigint; actual: number | bigint };

function magnitude(x: bigint): number {
  return Number(x < 0n ? -x : x);
}

/**
 * Tallies numpy's isclose over pairs of elements: |a − b| ≤ atol + rtol·|b| where b is the expected (provider's)
 * value, so the test is asymmetric as in numpy. NaN matches only NaN and an infinity only the same infinity.
 * Integers and booleans follow the same rule (with atol < 1 that is exact equality); 64-bit integers are
 * subtracted as bigint so that values beyond 2^53 are not rounded together.
 */
export class ToleranceTally {
  readonly tolerance: Tolerance;
  readonly stats: NumericStats = { compared: 0, outOfTolerance: 0, maxAbsDiff: 0, maxRelDiff: 0 };
  first: Violation | undefined;

  constructor(tolerance: Tolerance) {
    this.tolerance = tolerance;
  }

  /** Tallies one pair of numbers; false when it is out of tolerance. */
  addNumbers(expected: number, actual: number): boolean {
    const ordinal = this.stats.compared++;
    let within: boolean;
    if (Number.isNaN(expected) || Number.isNaN(actual)) within = Number.isNaN(expected) && Number.isNaN(actual);
    else if (expected === actual) within = true;
    else if (Number.isFinite(expected) && Number.isFinite(actual))
      within = this.#measure(Math.abs(actual - expected), Math.abs(expected));
    else {
      // An infinity met a different value: no tolerance covers that, even where rtol·|b| is infinite.
      this.#measure(Infinity, 0);
      within = false;
    }
    if (!within) this.#violation({ ordinal, expected, actual });
    return within;
  }

  /** Tallies one pair of 64-bit integers; false when it is out of tolerance. */
  addBigInts(expected: bigint, actual: bigint): boolean {
    const ordinal = this.stats.compared++;
    const within = expected === actual || this.#measure(magnitude(actual - expected), magnitude(expected));
    if (!within) this.#violation({ ordinal, expected, actual });
    return within;
  }

  /** Tallies two decoded chunks of the same dtype and length, element by element. */
  addAll(expected: Values, actual: Values): void {
    for (let i = 0; i < expected.length; i++) {
      const b = expected[i];
      const a = actual[i];
      if (typeof b === "bigint" && typeof a === "bigint") this.addBigInts(b, a);
      else if (typeof b === "number" && typeof a === "number") this.addNumbers(b, a);
    }
  }

  /** Why the first violation failed, e.g. "1.5 vs expected 1: |Δ| 0.5 > atol+rtol·|b| = 0.0001". */
  describeFirst(): string {
    if (!this.first) return "no element is out of tolerance";
    const { expected, actual } = this.first;
    const values = `${actual} vs expected ${expected}`;
    let absDiff: number;
    let scale: number;
    if (typeof expected === "bigint" && typeof actual === "bigint") {
      absDiff = magnitude(actual - expected);
      scale = magnitude(expected);
    } else {
      if (Number.isNaN(expected) || Number.isNaN(actual)) return `${values}: NaN must meet NaN at the same position`;
      if (!Number.isFinite(expected) || !Number.isFinite(actual)) return `${values}: infinities must be equal exactly`;
      absDiff = Math.abs(Number(actual) - Number(expected));
      scale = Math.abs(Number(expected));
    }
    const bound = this.tolerance.atol + this.tolerance.rtol * scale;
    return `${values}: |Δ| ${formatNumber(absDiff)} > atol+rtol·|b| = ${formatNumber(bound)}`;
  }

  /** Records a non-zero difference in the maxima and says whether it is within tolerance. */
  #measure(absDiff: number, expectedMagnitude: number): boolean {
    this.stats.maxAbsDiff = Math.max(this.stats.maxAbsDiff, absDiff);
    this.stats.maxRelDiff = Math.max(this.stats.maxRelDiff, absDiff / expectedMagnitude);
    return absDiff <= this.tolerance.atol + this.tolerance.rtol * expectedMagnitude;
  }

  #violation(violation: Violation): void {
    this.stats.outOfTolerance++;
    this.first ??= violation;
  }
}
