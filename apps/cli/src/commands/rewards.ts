import { claimBuilderEarnings, claimRewards, getBuilderEarnings, getRewardsSummary } from "@plasma/sdk";
import type { Command } from "commander";
import { resolveAddress } from "../accounts.ts";
import { withContext } from "../action.ts";
import { signer } from "../context.ts";
import { fields, table } from "../output.ts";
import { formatDuration, formatTime, xpl } from "../units.ts";

export function registerRewardsCommands(program: Command): void {
  const rewards = program
    .command("rewards")
    .description("provider rewards: each epoch's XPL emission, shared by GPU-seconds sold");

  rewards
    .command("show [provider]")
    .description("a provider's rewards: claimable now, and epochs still open (default: your account)")
    .action(
      withContext("provider2", async (ctx, providerText?: string) => {
        const provider = providerText ? resolveAddress(ctx, providerText, "provider") : signer(ctx);
        const s = await getRewardsSummary(ctx.client, provider);
        ctx.out.result(s, () =>
          [
            fields([
              ["provider", provider],
              ["claimable now", xpl(s.claimable)],
              [
                "epoch",
                `${s.currentEpoch} (${formatDuration(s.epochSeconds)} long, ends ${formatTime(s.epochEndsAt)})`,
              ],
              ["rewards pool", `${xpl(s.poolAvailable)} available`],
            ]),
            s.pending.length === 0
              ? "No work waiting for rewards."
              : table(
                  ["epoch", "GPU-seconds", "protocol fees paid", "reward"],
                  s.pending.map((w) => [
                    w.epoch,
                    w.gpuSeconds.toString(),
                    xpl(w.protocolFees),
                    w.ended ? xpl(w.reward) : "after the epoch ends",
                  ]),
                ),
          ].join("\n"),
        );
      }),
    );

  rewards
    .command("claim")
    .description("distribute your ended epochs and claim your rewards (commission + your own stake's share)")
    .action(
      withContext("provider2", async (ctx) => {
        const { hash, amount } = await claimRewards(ctx.client);
        ctx.out.result(
          { provider: signer(ctx), claimed: amount, tx: hash },
          () => `Claimed ${xpl(amount)} of rewards (tx ${hash}).`,
        );
      }),
    );

  const builder = program
    .command("builder")
    .description("ecosystem builders: the fee share of leases that name you, and treasury grants");

  builder
    .command("earnings [address]")
    .description("what a builder has earned, claimed and can claim (default: your account)")
    .action(
      withContext("builder", async (ctx, addressText?: string) => {
        const address = addressText ? resolveAddress(ctx, addressText, "builder") : signer(ctx);
        const e = await getBuilderEarnings(ctx.client, address);
        ctx.out.result(e, () =>
          fields([
            ["builder", address],
            ["leases", e.leases],
            ["fees earned", xpl(e.earned)],
            ["claimed", xpl(e.claimed)],
            ["claimable", xpl(e.claimable)],
            ["treasury grants", xpl(e.grants)],
          ]),
        );
      }),
    );

  builder
    .command("claim")
    .description("claim your builder fees")
    .action(
      withContext("builder", async (ctx) => {
        const { hash, amount } = await claimBuilderEarnings(ctx.client);
        ctx.out.result(
          { builder: signer(ctx), claimed: amount, tx: hash },
          () => `Claimed ${xpl(amount)} of builder fees (tx ${hash}).`,
        );
      }),
    );
}
