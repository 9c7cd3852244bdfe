import type { Command } from "commander";
import { createTestClient, http } from "viem";
import { withContext } from "../action.ts";
import { UsageError } from "../output.ts";
import { formatDuration, formatTime, parseDuration } from "../units.ts";

/** Anvil's chain id: the only chain whose clock a user may move. */
const DEVNET_CHAIN_ID = 31_337;

export function registerWarpCommand(program: Command): void {
  program
    .command("warp <duration>")
    .description("devnet only: move the chain's clock forward (90s, 30m, 2h, 1d) to end a vote or an epoch now")
    .action(
      withContext(undefined, async (ctx, durationText: string) => {
        if (ctx.deployment.chainId !== DEVNET_CHAIN_ID || !ctx.deployment.devAccounts) {
          throw new UsageError("Only a local devnet's clock can be moved.", {
            metaMessages: [`This deployment is chain ${ctx.deployment.chainId}; start one with \`plasma dev\`.`],
          });
        }
        const seconds = parseDuration(durationText);
        const test = createTestClient({ mode: "anvil", transport: http(ctx.client.rpcUrl) });
        await test.increaseTime({ seconds });
        await test.mine({ blocks: 1 });
        const block = await ctx.client.public.getBlock();
        ctx.out.result(
          { advancedSeconds: seconds, timestamp: Number(block.timestamp) },
          () =>
            `The devnet's clock moved ${formatDuration(seconds)} forward: it is now ${formatTime(Number(block.timestamp))}.`,
        );
      }),
    );
}
