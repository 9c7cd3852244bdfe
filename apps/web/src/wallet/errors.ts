// Turns whatever a chain action threw into text for the page. SDK errors (PlasmaError) carry a short
// message and hints on what to do; viem errors a short message; wallets plain {code, message} objects.

import { PlasmaError } from "@plasma/sdk/browser";

export type DescribedError = { message: string; hints: string[] };

export function describeError(error: unknown): DescribedError {
  if (error instanceof PlasmaError) {
    return { message: error.shortMessage, hints: [error.details, ...error.metaMessages].filter(isText) };
  }
  if (typeof error === "object" && error !== null) {
    const e = error as { shortMessage?: unknown; message?: unknown; code?: unknown };
    if (e.code === 4001) return { message: "You rejected the request in your wallet.", hints: [] };
    // viem's own errors: the short message only; their long form dumps the raw request.
    if (isText(e.shortMessage)) return { message: e.shortMessage, hints: [] };
    if (isText(e.message)) return { message: e.message, hints: [] };
  }
  return { message: isText(error) ? error : "Something went wrong.", hints: [] };
}

function isText(value: unknown): value is string {
  return typeof value === "string" && value.length > 0;
}
