import { InvalidArgumentError } from "@plasma/sdk";
import { formatEther, parseEther } from "viem";

const SECONDS_PER_HOUR = 3600n;

/** Parses an XPL amount such as `5000` or `0.25` into wei. */
export function parseXpl(text: string, what = "amount"): bigint {
  const clean = text.trim().replace(/\s*XPL$/i, "");
  if (!/^\d+(\.\d{1,18})?$/.test(clean)) {
    throw new InvalidArgumentError(
      `The ${what} "${text}" is not an XPL amount.`,
      "Write it in XPL, e.g. 5000 or 0.25.",
    );
  }
  return parseEther(clean);
}

/** Parses a price in XPL per GPU-hour into wei per GPU-second (rounded down). */
export function parsePricePerHour(text: string, what = "price"): bigint {
  const perSecond = parseXpl(text, what) / SECONDS_PER_HOUR;
  if (perSecond === 0n) {
    throw new InvalidArgumentError(
      `The ${what} ${text} XPL/GPU-h is below one wei per GPU-second.`,
      "Use a higher price.",
    );
  }
  return perSecond;
}

const DISPLAY_STEP = 10n ** 12n; // prices show 6 decimals: per-second wei rarely divides an hour evenly

/** Formats wei per GPU-second as XPL per GPU-hour, rounded to 6 decimals for display. */
export function formatPricePerHour(perSecond: bigint): string {
  const perHour = perSecond * SECONDS_PER_HOUR;
  const rounded = ((perHour + DISPLAY_STEP / 2n) / DISPLAY_STEP) * DISPLAY_STEP;
  return `${formatEther(rounded)} XPL/GPU-h`;
}

/** Formats wei as `12.5 XPL`. */
export function xpl(wei: bigint): string {
  return `${formatEther(wei)} XPL`;
}

/** Parses `90`, `90s`, `30m`, `2h` or `1d` into seconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+)\s*(s|m|h|d)?$/i.exec(text.trim());
  const unit = { s: 1, m: 60, h: 3600, d: 86_400 }[(match?.[2] ?? "s").toLowerCase() as "s"];
  const seconds = match ? Number(match[1]) * unit : Number.NaN;
  if (!Number.isSafeInteger(seconds) || seconds < 1 || seconds > 0xffffffff) {
    throw new InvalidArgumentError(`The duration "${text}" is not valid.`, "Write it like 90s, 30m, 2h or 1d.");
  }
  return seconds;
}

/** Formats seconds as `1h 30m 5s`. */
export function formatDuration(seconds: number): string {
  if (seconds <= 0) return "0s";
  const parts: string[] = [];
  for (const [unit, size] of [
    ["d", 86_400],
    ["h", 3600],
    ["m", 60],
    ["s", 1],
  ] as const) {
    const n = Math.floor(seconds / size);
    seconds -= n * size;
    if (n > 0) parts.push(`${n}${unit}`);
  }
  return parts.join(" ");
}

/** Parses a positive whole number (ids, GPU counts). */
export function parsePositiveInteger(text: string, what: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError(`The ${what} "${text}" is not a positive whole number.`, `Pass ${what} as 1, 2, 3…`);
  }
  return n;
}

/** Formats a unix timestamp for people (UTC). */
export function formatTime(unixSeconds: number): string {
  return unixSeconds === 0 ? "-" : new Date(unixSeconds * 1000).toISOString().replace(".000Z", "Z");
}
