import { formatNumber, plural } from "./format.ts";
import type { FileVerdict, VerificationSpec } from "./types.ts";

export const passes = (file: FileVerdict) => file.status === "equal" || file.status === "within-tolerance";

/**
 * One line for a CLI: "match: 3 files, 2 identical, 1 within atol=1e-5 rtol=1e-4 (max |Δ| 3.1e-7)", or the first
 * failing file and its reason: "mismatch: out/w.npy differs at 12 of 1000 elements (…)".
 */
export function summarize(spec: VerificationSpec, files: FileVerdict[]): string {
  const failing = files.filter((file) => !passes(file));
  const [first] = failing;
  if (first) {
    const more = failing.length > 1 ? ` (and ${plural(failing.length - 1, "more failing file")})` : "";
    return `mismatch: ${first.path} ${first.reason}${more}`;
  }
  const identical = files.filter((file) => file.status === "equal").length;
  if (spec.mode !== "tolerance") return `match: ${plural(files.length, "file")}, all identical`;
  const within = files.filter((file) => file.status === "within-tolerance");
  const maxAbsDiff = Math.max(0, ...within.map((file) => file.numeric?.maxAbsDiff ?? 0));
  const tolerance = `atol=${formatNumber(spec.atol)} rtol=${formatNumber(spec.rtol)}`;
  return `match: ${plural(files.length, "file")}, ${identical} identical${
    within.length > 0 ? `, ${within.length} within ${tolerance} (max |Δ| ${formatNumber(maxAbsDiff)})` : ""
  }`;
}
