// A lease event's arguments, readable: the API passes them as the contract emitted them (wei, enum
// numbers, unix times, addresses), so they are converted here by what their names say they are.

import { END_REASON, VERIFICATION_MODES } from "@plasma/sdk/browser";
import { formatTime, formatWeiAsXpl, shortAddress, shortHash } from "../format.ts";

/** Already shown at the top of the lease page. */
const HIDDEN = new Set(["leaseId", "provider", "client"]);
const AMOUNT = /(escrow|gross|paid|refund|penalty|fee|amount|price|value|stake|reward)/i;
const TIME = /(At|By|Deadline|deadline)$/;
const ZERO_ADDRESS = /^0x0{40}$/;

export type EventArg = { key: string; label: string; value: string; title: string };

/** "escrow" → "escrow", "pricePerGpuSecond" → "price per gpu second". */
function label(key: string): string {
  return key
    .replace(/(Xpl|Wei)$/, "")
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase();
}

function display(key: string, value: string): string {
  const integer = /^\d+$/.test(value);
  if (key === "reason" && integer) return END_REASON[Number(value)] ?? value;
  if (key === "verification" && integer) return VERIFICATION_MODES[Number(value)] ?? value;
  if (/Xpl$/.test(key)) return `${value} XPL`;
  if (integer && AMOUNT.test(key)) return formatWeiAsXpl(BigInt(value), 6);
  if (integer && TIME.test(key) && value.length >= 9 && value.length <= 11) return formatTime(Number(value));
  if (ZERO_ADDRESS.test(value)) return "none";
  if (/^0x[0-9a-fA-F]{40}$/.test(value)) return shortAddress(value);
  if (/^0x[0-9a-fA-F]{16,}$/.test(value)) return shortHash(value);
  return value;
}

export function eventArgs(args: Record<string, string>): EventArg[] {
  return Object.entries(args)
    .filter(([key]) => !HIDDEN.has(key))
    .map(([key, value]) => ({ key, label: label(key), value: display(key, String(value)), title: String(value) }));
}
