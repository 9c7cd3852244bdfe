import type { DevAccountName } from "@plasma/sdk";
import type { Command } from "commander";
import { type Context, connect } from "./context.ts";

/**
 * Wraps a command handler: connects to the deployment (with the command's default dev account),
 * runs the handler with the positional arguments and options, and closes the connection.
 */
export function withContext<Args extends unknown[]>(
  defaultAccount: DevAccountName | undefined,
  handler: (ctx: Context, ...args: Args) => Promise<void>,
) {
  return async (...commanderArgs: unknown[]) => {
    const command = commanderArgs[commanderArgs.length - 1] as Command;
    const ctx = await connect(command, defaultAccount);
    try {
      await handler(ctx, ...(commanderArgs.slice(0, -1) as Args));
    } finally {
      await ctx.client.close();
    }
  };
}
