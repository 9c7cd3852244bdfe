// Time ranges for the market charts. The API's series end at the newest indexed block's time (so a devnet
// whose clock was moved still lines up); a range only sets where they start.

export const RANGES = ["1h", "24h", "7d", "all"] as const;
export type Range = (typeof RANGES)[number];

export const DEFAULT_RANGE: Range = "24h";

export const RANGE_LABELS: Record<Range, string> = { "1h": "1 h", "24h": "24 h", "7d": "7 d", all: "All" };

const RANGE_SECONDS: Record<Range, number | null> = { "1h": 3600, "24h": 86_400, "7d": 7 * 86_400, all: null };

export function isRange(value: string | null): value is Range {
  return value !== null && (RANGES as readonly string[]).includes(value);
}

/**
 * Where a series starts, in unix seconds: undefined for 24 h (the API's default, which ends at chain time),
 * 0 for "all" (the API starts it at the first indexed block).
 */
export function rangeStart(range: Range, nowSeconds = Math.floor(Date.now() / 1000)): number | undefined {
  if (range === "24h") return undefined;
  const span = RANGE_SECONDS[range];
  return span === null ? 0 : nowSeconds - span;
}

/** Whether axis labels need the date as well as the time. */
export function isLongRange(range: Range): boolean {
  return range === "7d" || range === "all";
}

/** How many points the charts ask for. */
export const CHART_POINTS = 60;
