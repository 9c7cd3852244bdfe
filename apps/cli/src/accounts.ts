import type { Address } from "viem";
import { isAddress } from "viem";
import type { Context } from "./context.ts";
import { UsageError } from "./output.ts";

/** Resolves an 0x… address or, on a devnet, a dev account's name (`provider2`) to an address. */
export function resolveAddress(ctx: Context, text: string, what: string): Address {
  if (isAddress(text)) return text;
  const named = ctx.deployment.devAccounts?.[text];
  if (named) return named.address as Address;
  const names = Object.keys(ctx.deployment.devAccounts ?? {});
  throw new UsageError(`"${text}" is not an address${names.length ? " nor a dev account" : ""}.`, {
    metaMessages: [`Pass the ${what}'s 0x… address${names.length ? ` or one of: ${names.join(", ")}` : ""}.`],
  });
}
