import {
  getChannel,
  getProtocolParameters,
  listChannels,
  openChannel,
  requestChannelClose,
  topUpChannel,
  withdrawChannel,
} from "@plasma/sdk";
import type { Command } from "commander";
import { resolveAddress } from "../accounts.ts";
import { withContext } from "../action.ts";
import { signer } from "../context.ts";
import { fields, table } from "../output.ts";
import { formatDuration, formatTime, parsePositiveInteger, parseXpl, xpl } from "../units.ts";

const channelId = (text: string) => BigInt(parsePositiveInteger(text, "channel id"));

const state = (c: { closed: boolean; closesAt: number }) =>
  c.closed ? "closed" : c.closesAt ? `closing: withdraw from ${formatTime(c.closesAt)}` : "open";

export function registerChannelCommands(program: Command): void {
  const channel = program
    .command("channel")
    .description("payment channels: a deposit with a provider, spent by signed vouchers (no transaction per request)");

  channel
    .command("open <provider> <xpl>")
    .description("deposit XPL in a new channel to a provider")
    .action(
      withContext("client", async (ctx, providerText: string, amountText: string) => {
        const provider = resolveAddress(ctx, providerText, "provider");
        const amount = parseXpl(amountText, "amount");
        const { channelId: id, hash } = await openChannel(ctx.client, { provider, amount });
        ctx.out.result({ channelId: id, provider, deposit: amount, tx: hash }, () =>
          [
            `Channel ${id} to ${provider} holds ${xpl(amount)}.`,
            "  Requests to this provider are paid by vouchers signed with your key: no transaction each.",
            `  Close it with: plasma channel close ${id}`,
          ].join("\n"),
        );
      }),
    );

  channel
    .command("topup <channelId> <xpl>")
    .description("add XPL to an open channel")
    .action(
      withContext("client", async (ctx, idText: string, amountText: string) => {
        const id = channelId(idText);
        const hash = await topUpChannel(ctx.client, { channelId: id, amount: parseXpl(amountText, "amount") });
        const c = await getChannel(ctx.client, id);
        ctx.out.result(
          { ...c, tx: hash },
          () => `Channel ${id} now holds ${xpl(c.deposit)} (${xpl(c.remaining)} unspent).`,
        );
      }),
    );

  channel
    .command("close <channelId>")
    .description("ask to close: the provider may redeem its last voucher during the challenge period, then withdraw")
    .action(
      withContext("client", async (ctx, idText: string) => {
        const id = channelId(idText);
        const hash = await requestChannelClose(ctx.client, id);
        const [c, params] = await Promise.all([getChannel(ctx.client, id), getProtocolParameters(ctx.client)]);
        ctx.out.result(
          { ...c, tx: hash },
          () =>
            `Channel ${id} closes at ${formatTime(c.closesAt)} (challenge period ${formatDuration(params.challengePeriod)}); then run plasma channel withdraw ${id}.`,
        );
      }),
    );

  channel
    .command("withdraw <channelId>")
    .description("after the challenge period, take back what the provider did not redeem")
    .action(
      withContext("client", async (ctx, idText: string) => {
        const { hash, refund } = await withdrawChannel(ctx.client, channelId(idText));
        ctx.out.result(
          { channelId: idText, refund, tx: hash },
          () => `Channel ${idText} closed: ${xpl(refund)} back to you.`,
        );
      }),
    );

  channel
    .command("show [channelId]")
    .description("one channel, or every channel of your account")
    .action(
      withContext("client", async (ctx, idText?: string) => {
        if (idText !== undefined) {
          const c = await getChannel(ctx.client, channelId(idText));
          ctx.out.result(c, () =>
            fields([
              ["channel", c.id.toString()],
              ["client", c.client],
              ["provider", c.provider],
              ["deposit", xpl(c.deposit)],
              ["redeemed", xpl(c.redeemed)],
              ["unspent", xpl(c.remaining)],
              ["state", state(c)],
            ]),
          );
          return;
        }
        const channels = await listChannels(ctx.client, signer(ctx));
        ctx.out.result({ channels }, () =>
          channels.length === 0
            ? "No payment channels. Open one with plasma channel open PROVIDER XPL."
            : table(
                ["channel", "provider", "deposit", "redeemed", "state"],
                channels.map((c) => [c.id.toString(), c.provider, xpl(c.deposit), xpl(c.redeemed), state(c)]),
              ),
        );
      }),
    );
}
