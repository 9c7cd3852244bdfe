import { join } from "node:path";
import { createLogger, loadProviderConfig, startProviderNode } from "@plasma/provider";
import { readDeployment } from "@plasma/sdk";
import type { Command } from "commander";
import { deploymentPath, optionsOf, plasmaHome, resolveKey } from "../context.ts";
import { UsageError } from "../output.ts";
import { parsePositiveInteger } from "../units.ts";

/** Starts a provider node in this process and runs it until Ctrl-C. */
export function registerProviderStartCommand(provider: Command): void {
  provider
    .command("start")
    .description("run a provider node: detect GPUs, publish offers, take leases, run jobs (sandbox or Docker)")
    .option("--config <file>", "provider config (YAML or JSON); flags override it")
    .option("--data-dir <dir>", "state, artifacts and job directories (default: $PLASMA_HOME/provider-<account>)")
    .option("--host <host>", "address the API listens on")
    .option("--port <port>", "API port (0 picks a free one)")
    .option("--public-url <url>", "URL clients reach the API at (published on chain)")
    .option("--price <xpl>", "price in XPL per GPU-hour of the node's one offer")
    .option("--region <region>", "region of the node's one offer")
    .option("--stake <xpl>", "XPL to keep staked")
    .option("--runtimes <list>", "runtimes offered to jobs, comma-separated: sandbox, docker (default sandbox)")
    .action(
      async (
        o: {
          config?: string;
          dataDir?: string;
          host?: string;
          port?: string;
          publicUrl?: string;
          price?: string;
          region?: string;
          stake?: string;
          runtimes?: string;
        },
        command: Command,
      ) => {
        const options = optionsOf(command);
        const deployment = readDeployment(deploymentPath(options));
        const key = resolveKey(options, deployment, "provider1");
        if (!key)
          throw new UsageError("plasma provider start needs the provider's key.", {
            metaMessages: ["Pass --account NAME|KEY or set PLASMA_PRIVATE_KEY."],
          });
        const { privateKeyToAccount } = await import("viem/accounts");
        const address = privateKeyToAccount(key).address;
        const config = loadProviderConfig(o.config, {
          dataDir: o.dataDir ?? (o.config ? undefined : join(plasmaHome(), `provider-${address.toLowerCase()}`)),
          host: o.host,
          port: o.port === undefined ? undefined : o.port === "0" ? 0 : parsePositiveInteger(o.port, "--port"),
          publicUrl: o.publicUrl,
          stake: o.stake,
          runtimes: o.runtimes?.split(",").map((r) => r.trim()),
          offers: o.price === undefined ? undefined : [{ pricePerGpuHour: o.price, region: o.region ?? "" }],
        });
        const logger = createLogger();
        const node = await startProviderNode({ config, deployment, privateKey: key, logger });
        const gpus = node.hardware.gpus;
        process.stdout.write(
          `Plasma provider ${address} is ready at ${node.url}\n` +
            `  hardware: ${gpus.length > 0 ? `${gpus.length} × ${gpus[0]?.name}` : `no GPU (${node.hardware.reason}); offering CPU capacity`}\n` +
            `  runtimes: ${config.runtimes.join(", ")}\n` +
            `  offers:   ${node.offerIds.map(String).join(", ")}\n` +
            "Press Ctrl-C to stop.\n",
        );
        await new Promise<void>((resolve) => {
          process.once("SIGINT", () => resolve());
          process.once("SIGTERM", () => resolve());
        });
        process.stderr.write("Stopping the provider node…\n");
        await node.stop();
      },
    );
}
