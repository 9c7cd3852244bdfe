import { join } from "node:path";
import { createLogger } from "@plasma/provider";
import {
  getProtocolParameters,
  getValidator,
  readDeployment,
  requestValidatorExit,
  stakeValidator,
  withdrawValidatorStake,
} from "@plasma/sdk";
import { runHardwareCheck, startValidatorNode } from "@plasma/validator";
import type { Command } from "commander";
import { resolveAddress } from "../accounts.ts";
import { withContext } from "../action.ts";
import { deploymentPath, optionsOf, plasmaHome, resolveKey, signer } from "../context.ts";
import { fields, UsageError } from "../output.ts";
import { formatTime, parsePositiveInteger, parseXpl, xpl } from "../units.ts";

export function registerValidatorCommands(program: Command): void {
  const validator = program
    .command("validator")
    .description("staked validators: re-run a sample of completed leases and attest whether results match");

  validator
    .command("start")
    .description("run a validator node: draw completed leases, re-run your assignments, commit, attest, reveal")
    .option("--data-dir <dir>", "its database and work directories (default: $PLASMA_HOME/validator-<account>)")
    .option("--stake <xpl>", "XPL to keep staked (default: the protocol minimum)")
    .option("--metrics-port <port>", "serve Prometheus metrics on this port (0 picks a free one)")
    .option("--mine-when-idle", "on a local devnet, mine a block when a draw waits for one")
    .action(
      async (
        o: { dataDir?: string; stake?: string; metricsPort?: string; mineWhenIdle?: boolean },
        command: Command,
      ) => {
        const options = optionsOf(command);
        const deployment = readDeployment(deploymentPath(options));
        const key = resolveKey(options, deployment, "validator");
        if (!key)
          throw new UsageError("plasma validator start needs the validator's key.", {
            metaMessages: ["Pass --account NAME|KEY or set PLASMA_PRIVATE_KEY."],
          });
        const { privateKeyToAccount } = await import("viem/accounts");
        const address = privateKeyToAccount(key).address;
        const node = await startValidatorNode({
          deployment,
          privateKey: key,
          dataDir: o.dataDir ?? join(plasmaHome(), `validator-${address.toLowerCase()}`),
          logger: createLogger(undefined, 2, "plasma-validator"),
          stake: o.stake === undefined ? undefined : parseXpl(o.stake, "--stake"),
          metricsPort:
            o.metricsPort === undefined
              ? undefined
              : o.metricsPort === "0"
                ? 0
                : parsePositiveInteger(o.metricsPort, "--metrics-port"),
          mineWhenIdle: Boolean(o.mineWhenIdle),
        });
        process.stdout.write(
          `Plasma validator ${address} is running.\n${node.metricsUrl ? `  metrics: ${node.metricsUrl}\n` : ""}Press Ctrl-C to stop.\n`,
        );
        await new Promise<void>((resolve) => {
          process.once("SIGINT", () => resolve());
          process.once("SIGTERM", () => resolve());
        });
        process.stderr.write("Stopping the validator node…\n");
        await node.stop();
      },
    );

  validator
    .command("stake <xpl>")
    .description("stake XPL as a validator (the first stake must reach the minimum)")
    .action(
      withContext("validator", async (ctx, amountText: string) => {
        const amount = parseXpl(amountText, "amount");
        const hash = await stakeValidator(ctx.client, amount);
        const v = await getValidator(ctx.client, signer(ctx));
        ctx.out.result(
          { validator: v.address, staked: amount, stake: v.stake, tx: hash },
          () => `Staked ${xpl(amount)}: ${v.address} now has ${xpl(v.stake)} as a validator (tx ${hash}).`,
        );
      }),
    );

  validator
    .command("show [address]")
    .description("a validator's stake and record (default: your account)")
    .action(
      withContext("validator", async (ctx, addressText?: string) => {
        const address = addressText ? resolveAddress(ctx, addressText, "validator") : signer(ctx);
        const [v, params] = await Promise.all([getValidator(ctx.client, address), getProtocolParameters(ctx.client)]);
        ctx.out.result(v, () =>
          fields([
            ["validator", v.address],
            ["stake", `${xpl(v.stake)} (minimum ${xpl(params.minValidatorStake)})`],
            [
              "status",
              v.active
                ? "active"
                : v.exitAt
                  ? `leaving: withdrawable after ${formatTime(v.exitAt)}`
                  : "not a validator",
            ],
            ["open verifications", v.openAssignments],
            ["verdicts upheld", v.attested],
            ["windows missed", v.missed],
            ["disputes lost", v.disputesLost],
          ]),
        );
      }),
    );

  validator
    .command("challenge <offerId>")
    .description("proof of GPU: challenge an offer's hardware and record the verdict on chain")
    .option("--no-record", "print the verdict without recording it")
    .action(
      withContext("validator", async (ctx, offerText: string, o: { record: boolean }) => {
        const offerId = BigInt(parsePositiveInteger(offerText, "offer id"));
        const result = await runHardwareCheck(ctx.client, offerId, { record: o.record });
        const v = result.verdict;
        ctx.out.result(result, () =>
          [
            `${v.passed ? "✔" : "✖"} ${v.reason}`,
            fields([
              ["offer", `${offerId} (${v.gpuCount} × ${v.gpuClass})`],
              ["round trip", `${(v.elapsedMs / 1000).toFixed(1)} s of ${(v.deadlineMs / 1000).toFixed(1)} s allowed`],
              ["report hash", result.reportHash],
              ["recorded", result.tx ?? "no (--no-record)"],
            ]),
          ].join("\n"),
        );
        if (!v.passed) process.exitCode = 1;
      }),
    );

  validator
    .command("exit")
    .description("leave the validator set: the stake can be withdrawn after the unbonding period")
    .action(
      withContext("validator", async (ctx) => {
        const hash = await requestValidatorExit(ctx.client);
        const v = await getValidator(ctx.client, signer(ctx));
        ctx.out.result(
          { validator: v.address, exitAt: v.exitAt, tx: hash },
          () =>
            `Left the validator set; withdraw ${xpl(v.stake)} after ${formatTime(v.exitAt)} with plasma validator withdraw.`,
        );
      }),
    );

  validator
    .command("withdraw")
    .description("withdraw an exited validator's stake")
    .action(
      withContext("validator", async (ctx) => {
        const { hash, amount } = await withdrawValidatorStake(ctx.client);
        ctx.out.result({ validator: signer(ctx), amount, tx: hash }, () => `Withdrew ${xpl(amount)} (tx ${hash}).`);
      }),
    );
}
