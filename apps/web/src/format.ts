// Display helpers. Amounts arrive from the API as exact decimal strings ("1234.5"), so they are grouped
// and trimmed as text: converting to a float first would round large wei-exact values.

import { formatUnits } from "viem";

/** "0x1234…abcd": enough of an address to recognise it; the full one goes in a title. */
export function shortAddress(address: string): string {
  return address.length > 12 ? `${address.slice(0, 6)}…${address.slice(-4)}` : address;
}

/** "0x12ab…cdef" for hashes. */
export function shortHash(hash: string): string {
  return hash.length > 14 ? `${hash.slice(0, 8)}…${hash.slice(-6)}` : hash;
}

/**
 * Formats a decimal string for people: thousands grouped, at most `maxFraction` decimals, but small
 * values keep enough digits to stay visible (0.000036, not 0).
 */
export function formatDecimal(value: string, maxFraction = 4): string {
  const negative = value.startsWith("-");
  const [intPart = "0", fracPart = ""] = (negative ? value.slice(1) : value).split(".");
  let digits = maxFraction;
  if (/^0*$/.test(intPart)) {
    const firstSignificant = fracPart.search(/[1-9]/);
    if (firstSignificant >= 0) digits = Math.max(maxFraction, firstSignificant + 3);
  }
  const fraction = fracPart.slice(0, digits).replace(/0+$/, "");
  const integer = (intPart.replace(/^0+(?=\d)/, "") || "0").replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${negative ? "-" : ""}${integer}${fraction ? `.${fraction}` : ""}`;
}

/** "1,234.5 XPL" from a decimal XPL string; a dash when absent. */
export function formatXplAmount(value: string | null | undefined, maxFraction = 4): string {
  if (value === null || value === undefined || value === "") return "—";
  return `${formatDecimal(value, maxFraction)} XPL`;
}

/** XPL from wei (bigint), as "1,234.5 XPL". */
export function formatWeiAsXpl(wei: bigint, maxFraction = 4): string {
  return formatXplAmount(formatUnits(wei, 18), maxFraction);
}

/**
 * Governance tallies and vote weights: the API sends token amounts, which by its convention would be
 * XPL decimals, but raw wei integers are recognised too (no realistic vote is ≥ 10^12 XPL or < 10^-6 XPL),
 * so the page reads right either way.
 */
export function votesToXpl(value: string): string {
  if (/^\d{13,}$/.test(value)) return formatUnits(BigInt(value), 18);
  return value;
}

/** A 0..1 share as "87 %". */
export function formatPercent(share: number, fractionDigits = 0): string {
  if (!Number.isFinite(share)) return "—";
  return `${(share * 100).toFixed(fractionDigits)} %`;
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });
const shortTime = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const shortDateTime = new Intl.DateTimeFormat(undefined, {
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});

/** A unix time (seconds) as a local date and time. */
export function formatTime(unixSeconds: number | null | undefined): string {
  if (unixSeconds === null || unixSeconds === undefined) return "—";
  return dateTime.format(new Date(unixSeconds * 1000));
}

/** Axis labels: clock time for short ranges, day and time for long ones. */
export function formatAxisTime(unixSeconds: number, long: boolean): string {
  return (long ? shortDateTime : shortTime).format(new Date(unixSeconds * 1000));
}

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });

/** "3 minutes ago", "in 2 hours". */
export function formatRelative(unixSeconds: number, nowSeconds = Date.now() / 1000): string {
  const delta = unixSeconds - nowSeconds;
  const abs = Math.abs(delta);
  if (abs < 60) return relative.format(Math.round(delta), "second");
  if (abs < 3600) return relative.format(Math.round(delta / 60), "minute");
  if (abs < 86_400) return relative.format(Math.round(delta / 3600), "hour");
  return relative.format(Math.round(delta / 86_400), "day");
}

/** A duration in seconds as "2 h 5 min", "45 s". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "—";
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const days = Math.floor(s / 86_400);
  const hours = Math.floor((s % 86_400) / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const parts: string[] = [];
  if (days) parts.push(`${days} d`);
  if (hours) parts.push(`${hours} h`);
  if (minutes && days === 0) parts.push(`${minutes} min`);
  if (parts.length === 0) parts.push(`${s % 60} s`);
  return parts.join(" ");
}

/** A commission in basis points as "5 %". */
export function formatBps(bps: number): string {
  return `${(bps / 100).toLocaleString(undefined, { maximumFractionDigits: 2 })} %`;
}

/** A reputation score 0..1 as "0.93". */
export function formatScore(score: number): string {
  return score.toFixed(2);
}

/** "12,345" */
export function formatCount(n: number): string {
  return n.toLocaleString();
}
