import { getBuilderBalance, getProvider, getXplBalance } from "@plasma/sdk";
import type { Command } from "commander";
import { type Address, formatEther, isAddress } from "viem";
import { withContext } from "../action.ts";
import type { Context } from "../context.ts";
import { table, UsageError } from "../output.ts";

async function balancesOf(ctx: Context, name: string, address: Address) {
  const [xplWei, ethWei, provider, builderFees] = await Promise.all([
    getXplBalance(ctx.client, address),
    ctx.client.public.getBalance({ address }),
    getProvider(ctx.client, address),
    getBuilderBalance(ctx.client, address),
  ]);
  return { name, address, xpl: xplWei, eth: ethWei, stake: provider.stake, unbonding: provider.unbonding, builderFees };
}

export function registerBalanceCommand(program: Command): void {
  program
    .command("balance [address]")
    .description("XPL, ETH, stake and claimable fees of an account (on a devnet: of every dev account)")
    .action(
      withContext(undefined, async (ctx, address?: string) => {
        if (address !== undefined && !isAddress(address)) throw new UsageError(`"${address}" is not an address.`);
        const accounts: [string, Address][] = address
          ? [["", address]]
          : ctx.client.account
            ? [["", ctx.client.account.address]]
            : Object.entries(ctx.deployment.devAccounts ?? {}).map(([name, a]) => [name, a.address as Address]);
        if (accounts.length === 0) {
          throw new UsageError("Whose balance?", {
            metaMessages: ["Pass an address, --account, or set PLASMA_PRIVATE_KEY."],
          });
        }
        const rows = await Promise.all(accounts.map(([name, a]) => balancesOf(ctx, name, a)));
        ctx.out.result({ balances: rows }, () =>
          table(
            ["account", "address", "XPL", "staked", "unbonding", "builder fees", "ETH"],
            rows.map((r) => [
              r.name || "-",
              r.address,
              formatEther(r.xpl),
              formatEther(r.stake),
              formatEther(r.unbonding),
              formatEther(r.builderFees),
              formatEther(r.eth),
            ]),
          ),
        );
      }),
    );
}
