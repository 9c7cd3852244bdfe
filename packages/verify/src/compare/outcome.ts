import { formatNumber, plural } from "./format.ts";
import type { ToleranceTally } from "./tolerance.ts";
import type { FileOutcome } from "./types.ts";

export function different(reason: string): FileOutcome {
  return { status: "different", reason };
}

/**
 * The outcome of a number-by-number comparison. `unit` names what was compared ("element", "number");
 * `firstAt` locates the tally's first violation ("[3, 7]", "$.loss[2]").
 */
export function numericOutcome(tally: ToleranceTally, unit: string, firstAt: string | undefined): FileOutcome {
  const numeric = { ...tally.stats };
  const maxAbsDiff = `max |Δ| ${formatNumber(numeric.maxAbsDiff)}`;
  if (numeric.outOfTolerance === 0) {
    return {
      status: "within-tolerance",
      reason: `is within tolerance at ${plural(numeric.compared, unit)} (${maxAbsDiff})`,
      numeric,
    };
  }
  return {
    status: "different",
    reason: `differs at ${numeric.outOfTolerance} of ${plural(numeric.compared, unit)} (${maxAbsDiff}; first at ${firstAt}: ${tally.describeFirst()})`,
    numeric,
  };
}
