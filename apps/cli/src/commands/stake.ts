import {
  claimDelegationRewards,
  delegateStake,
  getArrivals,
  getDelegation,
  getDelegationPool,
  getLockedCollateral,
  listDelegations,
  undelegateStake,
  withdrawDelegation,
} from "@plasma/sdk";
import type { Command } from "commander";
import { resolveAddress } from "../accounts.ts";
import { withContext } from "../action.ts";
import { signer } from "../context.ts";
import { fields, table } from "../output.ts";
import { formatTime, parseXpl, xpl } from "../units.ts";

const percent = (bps: number) => `${(bps / 100).toFixed(2).replace(/\.?0+$/, "")} %`;

export function registerStakeCommands(program: Command): void {
  const stake = program
    .command("stake")
    .description("delegate XPL to providers' stake: earn part of their rewards, share their slashes");

  stake
    .command("delegate <provider> <amount>")
    .description("delegate XPL (amount in XPL) to a provider (address, or a dev account name)")
    .action(
      withContext("client", async (ctx, providerText: string, amountText: string) => {
        const provider = resolveAddress(ctx, providerText, "provider");
        const amount = parseXpl(amountText);
        const hash = await delegateStake(ctx.client, { provider, amount });
        const [position, pool, arrivals] = await Promise.all([
          getDelegation(ctx.client, provider, signer(ctx)),
          getDelegationPool(ctx.client, provider),
          getArrivals(ctx.client, provider),
        ]);
        ctx.out.result({ provider, delegated: amount, stake: position.stake, backing: pool.backing, tx: hash }, () =>
          [
            `Delegated ${xpl(amount)} to ${provider} (tx ${hash}).`,
            `Your delegation: ${xpl(position.stake)}; the provider is backed by ${xpl(pool.backing)} at ${percent(pool.commissionBps)} commission.`,
            `It backs the provider now and shares the rewards of epoch ${arrivals.currentEpoch + 1} on: rewards go to the stake that was there during their epoch.`,
          ].join("\n"),
        );
      }),
    );

  stake
    .command("undelegate <provider> <amount>")
    .description("start unbonding a delegation (amount in XPL, or `all`); withdraw it after the unbonding period")
    .action(
      withContext("client", async (ctx, providerText: string, amountText: string) => {
        const provider = resolveAddress(ctx, providerText, "provider");
        const amount = amountText.trim().toLowerCase() === "all" ? "all" : parseXpl(amountText);
        const result = await undelegateStake(ctx.client, { provider, amount });
        const locked = await getLockedCollateral(ctx.client, provider);
        ctx.out.result(
          {
            provider,
            undelegated: result.amount,
            releaseAt: result.releaseAt,
            lockedCollateral: locked,
            tx: result.hash,
          },
          () =>
            `Unbonding ${xpl(result.amount)} from ${provider}: it earns nothing more and stays slashable until ${formatTime(result.releaseAt)}, then \`plasma stake withdraw ${providerText}\` (tx ${result.hash}).` +
            (locked > 0n
              ? `\n${xpl(locked)} of ${provider}'s backing is locked as collateral for its verified leases; withdrawals may not take it below that.`
              : ""),
        );
      }),
    );

  stake
    .command("withdraw <provider>")
    .description("withdraw a delegation whose unbonding period has ended")
    .action(
      withContext("client", async (ctx, providerText: string) => {
        const provider = resolveAddress(ctx, providerText, "provider");
        const { hash, amount } = await withdrawDelegation(ctx.client, { provider });
        ctx.out.result({ provider, withdrawn: amount, tx: hash }, () => `Withdrew ${xpl(amount)} (tx ${hash}).`);
      }),
    );

  stake
    .command("claim <provider>")
    .description("claim the rewards your delegation to a provider earned")
    .action(
      withContext("client", async (ctx, providerText: string) => {
        const provider = resolveAddress(ctx, providerText, "provider");
        const { hash, amount } = await claimDelegationRewards(ctx.client, { provider });
        ctx.out.result(
          { provider, claimed: amount, tx: hash },
          () => `Claimed ${xpl(amount)} of rewards (tx ${hash}).`,
        );
      }),
    );

  stake
    .command("show [provider]")
    .description("your delegations, or one provider's backing and commission")
    .action(
      withContext("client", async (ctx, providerText?: string) => {
        if (providerText !== undefined) {
          const provider = resolveAddress(ctx, providerText, "provider");
          const pool = await getDelegationPool(ctx.client, provider);
          ctx.out.result(pool, () =>
            fields([
              ["provider", provider],
              ["own stake", xpl(pool.ownStake)],
              ["delegated", xpl(pool.delegated)],
              ["delegated, unbonding", xpl(pool.delegatedUnbonding)],
              ["backing", xpl(pool.backing)],
              ["commission", percent(pool.commissionBps)],
              ...(pool.pendingCommission
                ? ([
                    [
                      "commission raise",
                      `${percent(pool.pendingCommission.bps)} from ${formatTime(pool.pendingCommission.effectiveAt)}`,
                    ],
                  ] as [string, string][])
                : []),
            ]),
          );
          return;
        }
        const me = signer(ctx);
        const positions = await listDelegations(ctx.client, me);
        ctx.out.result({ delegator: me, delegations: positions }, () =>
          positions.length === 0
            ? `${me} has no delegations. Delegate with \`plasma stake delegate PROVIDER AMOUNT\`.`
            : table(
                ["provider", "delegated", "unbonding", "withdrawable from", "rewards"],
                positions.map((d) => [
                  d.provider,
                  xpl(d.stake),
                  xpl(d.unbonding),
                  d.unbonding > 0n ? formatTime(d.releaseAt) : "-",
                  xpl(d.rewards),
                ]),
              ),
        );
      }),
    );
}
