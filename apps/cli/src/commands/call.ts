import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createInferenceClient } from "@plasma/sdk";
import type { Command } from "commander";
import { withContext } from "../action.ts";
import { type Context, plasmaHome } from "../context.ts";
import { UsageError } from "../output.ts";
import { parsePositiveInteger, xpl } from "../units.ts";

type CallOptions = { data?: string; method?: string; channel?: string };

/**
 * The most this machine has signed on each channel, kept between calls: the inference client adopts a
 * provider's running total only up to it, so a provider can never make it sign for requests it did not make.
 */
function signedLedger(ctx: Context) {
  const file = join(plasmaHome(), "vouchers.json");
  const key = (channelId: bigint) =>
    `${ctx.client.chain.id}:${ctx.client.addresses.paymentChannels.toLowerCase()}:${channelId}`;
  const read = (): Record<string, string> =>
    existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Record<string, string>) : {};
  return {
    get: (channelId: bigint) => {
      const value = read()[key(channelId)];
      return value === undefined ? undefined : BigInt(value);
    },
    set: (channelId: bigint, amount: bigint) => {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, `${JSON.stringify({ ...read(), [key(channelId)]: amount.toString() }, null, 2)}\n`);
    },
  };
}

export function registerCallCommand(program: Command): void {
  program
    .command("call <leaseId> [path]")
    .description("send one request to a model endpoint (plasma serve), paying with a voucher; prints the answer")
    .option("--data <json>", "request body (JSON); default path with a body: /v1/completions")
    .option("--method <method>", "HTTP method (default: POST with --data, else GET)")
    .option("--channel <id>", "the channel that pays (default: your open channel to the provider)")
    .action(
      withContext("client", async (ctx, leaseText: string, pathArg: string | undefined, o: CallOptions) => {
        const leaseId = BigInt(parsePositiveInteger(leaseText, "lease id"));
        if (o.data !== undefined) {
          try {
            JSON.parse(o.data);
          } catch (error) {
            throw new UsageError(`--data is not JSON: ${(error as Error).message}`, {
              metaMessages: [`Quote it for the shell: --data '{"prompt":"hello"}'`],
            });
          }
        }
        const path = pathArg ?? (o.data === undefined ? "/v1/models" : "/v1/completions");
        const ledger = signedLedger(ctx);
        const channelId = o.channel === undefined ? undefined : BigInt(parsePositiveInteger(o.channel, "--channel"));
        const ai = await createInferenceClient(ctx.client, {
          leaseId,
          channelId,
          signedUpTo: ledger.get,
          onSigned: ledger.set,
        });
        const response = await ai.fetch(path, {
          ...(o.method ? { method: o.method.toUpperCase() } : {}),
          ...(o.data === undefined ? {} : { body: o.data }),
        });
        // Stream the answer as it comes (server-sent events for stream: true).
        if (response.body) for await (const chunk of response.body) process.stdout.write(chunk);
        if (!ctx.out.json) {
          const charged = response.headers.get("x-plasma-charged");
          process.stderr.write(
            `\n[${response.status}] ${charged ? `charged ${xpl(BigInt(charged))} on channel ${ai.channelId}, ${xpl(BigInt(response.headers.get("x-plasma-owed") ?? "0"))} owed in all` : "no charge"}\n`,
          );
        }
        if (!response.ok) process.exitCode = 1;
      }),
    );
}
