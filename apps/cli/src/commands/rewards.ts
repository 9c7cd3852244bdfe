import {
  claimBuilderEarnings,
  claimRewards,
  distributePendingRewards,
  getArrivals,
  getBuilderEarnings,
  getRewardsSummary,
} from "@plasma/sdk";
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
        const [s, arrivals] = await Promise.all([
          getRewardsSummary(ctx.client, provider),
          getArrivals(ctx.client, provider),
        ]);
        const waiting: [string, string][] = [];
        if (arrivals.stake > 0n && arrivals.stakeEpoch >= s.currentEpoch - 1) {
          waiting.push([
            "new own stake",
            `${xpl(arrivals.stake)} (epoch ${arrivals.stakeEpoch}): earns from epoch ${arrivals.stakeEpoch + 1}`,
          ]);
        }
        if (arrivals.shares > 0n) {
          waiting.push([
            "new delegations",
            `arrived in epoch ${arrivals.sharesEpoch}: earn from epoch ${arrivals.sharesEpoch + 1}`,
          ]);
        }
        ctx.out.result({ ...s, arrivals }, () =>
          [
            fields([
              ["provider", provider],
              ["claimable now", xpl(s.claimable)],
              [
                "epoch",
                `${s.currentEpoch} (${formatDuration(s.epochSeconds)} long, ends ${formatTime(s.epochEndsAt)})`,
              ],
              ["rewards pool", `${xpl(s.poolAvailable)} available`],
              ...waiting,
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

  rewards
    .command("distribute <provider>")
    .description("pay a provider's ended epochs (anyone may): its part becomes claimable, its delegators' goes to them")
    .action(
      withContext("client", async (ctx, providerText: string) => {
        const provider = resolveAddress(ctx, providerText, "provider");
        const { hash, amount, epochs } = await distributePendingRewards(ctx.client, { provider });
        ctx.out.result({ provider, distributed: amount, epochs, tx: hash }, () =>
          epochs === 0
            ? `${provider} has no ended epoch waiting for its reward (tx ${hash}).`
            : `Distributed ${xpl(amount)} for ${epochs} epoch${epochs === 1 ? "" : "s"} of ${provider}, split by the stake that was there during each (tx ${hash}).`,
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
