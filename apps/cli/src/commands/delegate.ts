import { delegateVotes, getVotingPower } from "@plasma/sdk";
import type { Command } from "commander";
import { isAddress } from "viem";
import { withContext } from "../action.ts";
import { signer } from "../context.ts";
import { UsageError } from "../output.ts";
import { xpl } from "../units.ts";

export function registerDelegateCommand(program: Command): void {
  program
    .command("delegate [address]")
    .description("give your XPL's voting power to yourself (default) or another account")
    .action(
      withContext("client", async (ctx, to?: string) => {
        const me = signer(ctx);
        if (to !== undefined && !isAddress(to))
          throw new UsageError(`"${to}" is not an address.`, {
            metaMessages: ["Pass an 0x… address, or nothing to vote with your own XPL."],
          });
        const delegate = (to ?? me) as `0x${string}`;
        const hash = await delegateVotes(ctx.client, { to: delegate });
        const power = await getVotingPower(ctx.client, delegate);
        ctx.out.result({ delegate, votes: power.votes, hash }, () =>
          delegate.toLowerCase() === me.toLowerCase()
            ? `You vote with your own XPL: ${xpl(power.votes)} of voting power (tx ${hash}).`
            : `Your XPL's votes go to ${delegate}, who now has ${xpl(power.votes)} of voting power (tx ${hash}).`,
        );
      }),
    );
}
