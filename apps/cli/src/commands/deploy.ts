import { deployPlasma, writeDeployment } from "@plasma/sdk";
import type { Command } from "commander";
import { type Address, isAddress } from "viem";
import { deploymentPath, optionsOf } from "../context.ts";
import { createOutput, table, UsageError } from "../output.ts";

export function registerDeployCommand(program: Command): void {
  program
    .command("deploy")
    .description("deploy every Plasma contract to the EVM chain at --rpc URL and write the deployment file")
    .option("--ws <url>", "WebSocket URL of the chain, for event subscriptions")
    .option("--treasury <address>", "receiver of protocol fees (default: the governed timelock)")
    .option("--out <file>", "where to write the deployment (default: the deployment file)")
    .action(async (o: { ws?: string; treasury?: string; out?: string }, command: Command) => {
      const options = optionsOf(command);
      const out = createOutput(Boolean(options.json));
      if (!options.rpc) {
        throw new UsageError("plasma deploy needs the chain's RPC URL.", {
          metaMessages: ["Pass --rpc URL, e.g. --rpc http://127.0.0.1:8545."],
        });
      }
      const key = process.env.PLASMA_PRIVATE_KEY || options.account;
      if (!key || !/^0x[0-9a-fA-F]{64}$/.test(key)) {
        throw new UsageError("plasma deploy needs the deployer's private key.", {
          metaMessages: ["Set PLASMA_PRIVATE_KEY=0x… (64 hex digits), or pass --account 0x…."],
        });
      }
      if (o.treasury !== undefined && !isAddress(o.treasury))
        throw new UsageError(`--treasury ${o.treasury} is not an address.`);
      const deployment = await deployPlasma({
        rpcUrl: options.rpc,
        wsUrl: o.ws,
        privateKey: key as `0x${string}`,
        treasury: o.treasury as Address | undefined,
      });
      const path = o.out ?? deploymentPath(options);
      writeDeployment(path, deployment);
      out.result({ deploymentFile: path, ...deployment }, () =>
        [
          `Deployed to chain ${deployment.chainId} at ${deployment.rpcUrl}; wrote ${path}`,
          table(["contract", "address"], Object.entries(deployment.contracts)),
        ].join("\n"),
      );
    });
}
