import { join } from "node:path";
import { createLogger } from "@plasma/provider";
import {
  disputeHardwareCheck,
  getHardwareCheckState,
  getHardwareReports,
  getProtocolParameters,
  getValidator,
  readDeployment,
  requestHardwareCheck,
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
    .description(
      "staked validators: re-run a sample of completed leases, attest whether results match, check offers' hardware",
    );

  validator
    .command("start")
    .description("run a validator node: draw completed leases, re-run your assignments, commit, attest, reveal")
    .option("--data-dir <dir>", "its database and work directories (default: $PLASMA_HOME/validator-<account>)")
    .option("--stake <xpl>", "XPL to keep staked (default: the protocol minimum)")
    .option("--metrics-port <port>", "serve Prometheus metrics on this port (0 picks a free one)")
    .option("--mine-when-idle", "on a local devnet, mine a block when a draw waits for one")
    .option("--recheck-days <days>", "request a proof-of-GPU check of offers not checked for this long", "7")
    .option("--no-request-checks", "request no hardware checks (still run the ones drawn for you)")
    .action(
      async (
        o: {
          dataDir?: string;
          stake?: string;
          metricsPort?: string;
          mineWhenIdle?: boolean;
          recheckDays: string;
          requestChecks: boolean;
        },
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
          hardwareChecks: {
            recheckAfterSeconds: o.requestChecks
              ? parsePositiveInteger(o.recheckDays, "--recheck-days") * 86_400
              : undefined,
          },
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
    .description("proof of GPU: run the check of an offer drawn for you, and report the verdict on chain")
    .option("--no-report", "print the verdict without reporting it (any staked validator may)")
    .action(
      withContext("validator", async (ctx, offerText: string, o: { report: boolean }) => {
        const offerId = BigInt(parsePositiveInteger(offerText, "offer id"));
        const result = await runHardwareCheck(ctx.client, offerId, { report: o.report });
        const v = result.verdict;
        ctx.out.result(result, () =>
          [
            `${v.passed ? "✔" : "✖"} ${v.reason}`,
            fields([
              ["offer", `${offerId} (${v.gpuCount} × ${v.gpuClass})`],
              ["round trip", `${(v.elapsedMs / 1000).toFixed(1)} s of ${(v.deadlineMs / 1000).toFixed(1)} s allowed`],
              ["report hash", result.reportHash],
              ["reported", result.tx ?? "no (--no-report)"],
            ]),
          ].join("\n"),
        );
        if (!v.passed) process.exitCode = 1;
      }),
    );

  validator
    .command("request-check <offerId>")
    .description("request a proof-of-GPU check of an offer: a validator is drawn from the next block (anyone)")
    .action(
      withContext("validator", async (ctx, offerText: string) => {
        const offerId = BigInt(parsePositiveInteger(offerText, "offer id"));
        const hash = await requestHardwareCheck(ctx.client, offerId);
        const c = await getHardwareCheckState(ctx.client, offerId);
        ctx.out.result(
          { offerId, drawBlock: c.drawBlock, tx: hash },
          () =>
            `Requested a hardware check of offer ${offerId}: its validator is drawn from block ${c.drawBlock}'s hash (tx ${hash}).`,
        );
      }),
    );

  validator
    .command("checks <offerId>")
    .description("an offer's open hardware check and every report made about it")
    .action(
      withContext("validator", async (ctx, offerText: string) => {
        const offerId = BigInt(parsePositiveInteger(offerText, "offer id"));
        const [open, reports] = await Promise.all([
          getHardwareCheckState(ctx.client, offerId),
          getHardwareReports(ctx.client, offerId),
        ]);
        ctx.out.result({ open, reports }, () =>
          [
            fields([
              ["offer", String(offerId)],
              ["open check", open.stage === "none" ? "none" : open.stage],
              ["validator", open.validator ?? "-"],
              ["deadline", open.deadline ? formatTime(open.deadline) : "-"],
            ]),
            ...reports.map(
              (r) =>
                `#${r.index} ${formatTime(r.checkedAt)} ${r.passed ? "passed" : "failed"}${r.recheck ? " (re-check)" : ""} by ${r.validator}: ${r.verdict}`,
            ),
          ].join("\n"),
        );
      }),
    );

  validator
    .command("dispute <offerId>")
    .description("as the offer's provider: dispute its latest failed hardware report; a second validator re-checks")
    .action(
      withContext("validator", async (ctx, offerText: string) => {
        const offerId = BigInt(parsePositiveInteger(offerText, "offer id"));
        const hash = await disputeHardwareCheck(ctx.client, offerId);
        ctx.out.result(
          { offerId, tx: hash },
          () => `Disputed offer ${offerId}'s failed report: a second validator will re-check it (tx ${hash}).`,
        );
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
