import { join } from "node:path";
import { startIndexerService } from "@plasma/indexer";
import { createLogger } from "@plasma/provider";
import { readDeployment } from "@plasma/sdk";
import type { Command } from "commander";
import { deploymentPath, optionsOf, plasmaHome } from "../context.ts";
import { parsePositiveInteger } from "../units.ts";
import { webAppDir } from "../webApp.ts";

/** `plasma indexer`: the indexer, the HTTP API and the web app for any deployment, not only a devnet. */
export function registerIndexerCommand(program: Command): void {
  program
    .command("indexer")
    .description("index a deployment's events into SQL and serve the HTTP API and the web app")
    .option("--port <port>", "port of the API and web app (0 picks a free one)", "8600")
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .option(
      "--data-dir <dir>",
      "the embedded database's directory (default: $PLASMA_HOME/indexer-<chain>); ignored with DATABASE_URL",
    )
    .option("--no-web", "serve the API only")
    .action(async (o: { port: string; host: string; dataDir?: string; web: boolean }, command: Command) => {
      const options = optionsOf(command);
      const deployment = readDeployment(deploymentPath(options));
      const port = o.port === "0" ? 0 : parsePositiveInteger(o.port, "--port");
      const databaseUrl = process.env.DATABASE_URL;
      const dataDir = o.dataDir ?? join(plasmaHome(), `indexer-${deployment.chainId}`);
      const service = await startIndexerService({
        deployment,
        logger: createLogger(undefined, 2, "plasma-indexer"),
        databaseUrl,
        dataDir,
        port,
        host: o.host,
        webDir: o.web ? webAppDir() : undefined,
      });
      process.stdout.write(
        [
          `Plasma indexer for chain ${deployment.chainId} is running (${databaseUrl ? "PostgreSQL" : `PGlite in ${dataDir}`}).`,
          ...(o.web ? [`  web app   ${service.url}/`] : []),
          `  HTTP API  ${service.url}/api/v1   (OpenAPI: ${service.url}/api/docs)`,
          "Press Ctrl-C to stop.",
          "",
        ].join("\n"),
      );
      await new Promise<void>((resolve) => {
        process.once("SIGINT", () => resolve());
        process.once("SIGTERM", () => resolve());
      });
      process.stderr.write("Stopping the indexer…\n");
      await service.stop();
    });
}
