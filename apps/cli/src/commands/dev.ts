import { existsSync, mkdirSync, openSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { type IndexerService, startIndexerService } from "@plasma/indexer";
import { createLogger, loadProviderConfig, type ProviderNode, startProviderNode } from "@plasma/provider";
import { type Deployment, startDevnet, writeDeployment } from "@plasma/sdk";
import { startValidatorNode, type ValidatorNode } from "@plasma/validator";
import type { Command } from "commander";
import { deploymentPath, optionsOf, plasmaHome } from "../context.ts";
import { createOutput, table } from "../output.ts";
import { parsePositiveInteger } from "../units.ts";
import { webAppDir } from "../webApp.ts";

/** The devnet's own provider (dev account provider2), offering this machine's GPUs or CPU cores. */
async function startDevProvider(deployment: Deployment, port: number) {
  const key = deployment.devAccounts?.provider2?.privateKey as `0x${string}`;
  const dataDir = join(plasmaHome(), "devnet-provider");
  rmSync(dataDir, { recursive: true, force: true }); // a new chain: start with no state
  mkdirSync(dataDir, { recursive: true });
  const logFile = join(dataDir, "provider.log");
  const config = loadProviderConfig(undefined, {
    dataDir,
    port,
    offers: [{ pricePerGpuHour: "0.36", pricePerRequest: "0.001", region: "local" }],
    payments: { redeemEverySeconds: 10, redeemMinimumXpl: "0.1" },
    stake: "1000",
    specTimeoutSeconds: 120,
  });
  const node = await startProviderNode({
    config,
    deployment,
    privateKey: key,
    logger: createLogger("info", openSync(logFile, "a")),
  });
  return { node, logFile };
}

/** The devnet's validator (dev account validator): draws completed leases and re-runs the sampled ones. */
async function startDevValidator(deployment: Deployment) {
  const key = deployment.devAccounts?.validator?.privateKey as `0x${string}`;
  const dataDir = join(plasmaHome(), "devnet-validator");
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const logFile = join(dataDir, "validator.log");
  const node = await startValidatorNode({
    deployment,
    privateKey: key,
    dataDir,
    logger: createLogger("info", openSync(logFile, "a"), "plasma-validator"),
    mineWhenIdle: true, // anvil mines only on transactions; a draw needs the block after completion
    tickMs: 1000,
  });
  return { node, logFile };
}

/** The devnet's indexer and HTTP API, serving the web app too. A new chain: a fresh database. */
async function startDevIndexer(deployment: Deployment, port: number) {
  const dataDir = join(plasmaHome(), "devnet-indexer");
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const logFile = join(dataDir, "indexer.log");
  const webDir = webAppDir();
  const service = await startIndexerService({
    deployment,
    logger: createLogger("info", openSync(logFile, "a"), "plasma-indexer"),
    databaseUrl: process.env.DATABASE_URL,
    dataDir: join(dataDir, "db"),
    port,
    webDir,
  });
  return { service, logFile, webDir };
}

function banner(
  deployment: Deployment,
  path: string,
  provider?: { node: ProviderNode; logFile: string },
  validator?: { node: ValidatorNode; logFile: string },
  indexer?: { service: IndexerService; logFile: string; webDir: string | undefined },
): string {
  const accounts = Object.entries(deployment.devAccounts ?? {});
  return [
    "Plasma devnet is ready.",
    "",
    ...(indexer
      ? [
          indexer.webDir
            ? `  web app      ${indexer.service.url}/   (open it; connect a dev account from the wallet menu)`
            : "  web app      not built: run `npm run build:web`, then restart",
          `  HTTP API     ${indexer.service.url}/api/v1   (OpenAPI: ${indexer.service.url}/api/docs)`,
          `  indexer      ${process.env.DATABASE_URL ? "PostgreSQL (DATABASE_URL)" : "embedded PGlite"}; log ${indexer.logFile}`,
        ]
      : []),
    "",
    `  chain id     ${deployment.chainId}`,
    `  RPC          ${deployment.rpcUrl}  (WebSocket ${deployment.wsUrl})`,
    `  deployment   ${path}`,
    "",
    table(
      ["contract", "address"],
      Object.entries(deployment.contracts).map(([name, address]) => [name, address]),
    ),
    table(
      ["dev account", "address"],
      accounts.map(([name, a]) => [name, a.address]),
    ),
    "Dev account keys are anvil's public test keys: never send them real value.",
    ...(provider
      ? [
          "",
          `Local provider (provider2) at ${provider.node.url}: ${provider.node.hardware.gpus.length ? `${provider.node.hardware.gpus.length} GPU(s)` : "CPU capacity"}, offer ${provider.node.offerIds.join(", ")}; log ${provider.logFile}`,
          "Run a job on it:",
          `  npx plasma run -- python3 -c "print('hello from a Plasma GPU node')"`,
        ]
      : []),
    ...(validator
      ? [
          "",
          `Local validator (validator) ${validator.node.address}: draws completed leases and re-runs the sampled ones; log ${validator.logFile}`,
        ]
      : []),
    "",
    "Next, in another terminal:",
    "  npx plasma balance                                    # XPL of every dev account",
    "  npx plasma provider register --endpoint http://127.0.0.1:8700",
    "  npx plasma provider stake 5000",
    "  npx plasma provider offer set --gpu-model H100 --vram 80 --gpus 8 --price 2.5",
    "  npx plasma market offers",
    "  npx plasma lease open --offer 1 --gpus 1 --duration 1h",
    "",
    "Press Ctrl-C to stop.",
  ].join("\n");
}

export function registerDevCommand(program: Command): void {
  program
    .command("dev")
    .description("run a local Plasma network: anvil, every contract deployed, dev accounts funded")
    .option("--port <port>", "RPC port (0 picks a free one)", "8545")
    .option("--provider-port <port>", "API port of the local provider node (0 picks a free one)", "8700")
    .option("--no-provider", "do not start the local provider node")
    .option("--no-validator", "do not start the local validator node")
    .option("--web-port <port>", "port of the web app and HTTP API (0 picks a free one)", "8600")
    .option("--no-web", "do not start the indexer, HTTP API and web app")
    .action(
      async (
        o: { port: string; providerPort: string; webPort: string; provider: boolean; validator: boolean; web: boolean },
        command: Command,
      ) => {
        const options = optionsOf(command);
        const out = createOutput(Boolean(options.json));
        const port = o.port === "0" ? 0 : parsePositiveInteger(o.port, "--port");
        const path = deploymentPath(options);
        const devnet = await startDevnet({ port });
        // Handlers go in before the banner: whoever reads "ready" may press Ctrl-C at once.
        const stopped = new Promise<void>((resolve, reject) => {
          const stop = (signal: string) => {
            process.stderr.write(`\nReceived ${signal}: stopping the devnet.\n`);
            resolve();
          };
          process.once("SIGINT", () => stop("SIGINT"));
          process.once("SIGTERM", () => stop("SIGTERM"));
          devnet.anvil.process.once("exit", (code) => reject(new Error(`anvil exited unexpectedly (code ${code})`)));
        });
        writeDeployment(path, devnet.deployment);
        const provider = o.provider
          ? await startDevProvider(
              devnet.deployment,
              o.providerPort === "0" ? 0 : parsePositiveInteger(o.providerPort, "--provider-port"),
            )
          : undefined;
        const validator = o.validator ? await startDevValidator(devnet.deployment) : undefined;
        const indexer = o.web
          ? await startDevIndexer(
              devnet.deployment,
              o.webPort === "0" ? 0 : parsePositiveInteger(o.webPort, "--web-port"),
            )
          : undefined;
        out.result(
          {
            ready: true,
            deploymentFile: path,
            ...devnet.deployment,
            ...(indexer ? { webUrl: `${indexer.service.url}/`, apiUrl: `${indexer.service.url}/api/v1` } : {}),
          },
          () => banner(devnet.deployment, path, provider, validator, indexer),
        );
        await stopped.finally(async () => {
          await indexer?.service.stop();
          await validator?.node.stop();
          await provider?.node.stop();
          await devnet.stop();
          // Remove our deployment file only: a newer devnet may have replaced it.
          if (existsSync(path) && readFileSync(path, "utf8").includes(devnet.deployment.rpcUrl)) rmSync(path);
        });
        process.stderr.write("Devnet stopped.\n");
      },
    );
}
