import { Command, CommanderError } from "commander";
import { registerBalanceCommand } from "./commands/balance.ts";
import { registerCallCommand } from "./commands/call.ts";
import { registerChannelCommands } from "./commands/channel.ts";
import { registerDelegateCommand } from "./commands/delegate.ts";
import { registerDeployCommand } from "./commands/deploy.ts";
import { registerDevCommand } from "./commands/dev.ts";
import { registerGovCommands } from "./commands/gov.ts";
import { registerIndexerCommand } from "./commands/indexer.ts";
import { registerJobCommands } from "./commands/jobs.ts";
import { registerLeaseCommands } from "./commands/lease.ts";
import { registerMarketCommands } from "./commands/market.ts";
import { registerProviderCommands } from "./commands/provider.ts";
import { registerRewardsCommands } from "./commands/rewards.ts";
import { registerRunCommand } from "./commands/run.ts";
import { registerServeCommand } from "./commands/serve.ts";
import { registerStakeCommands } from "./commands/stake.ts";
import { registerValidatorCommands } from "./commands/validator.ts";
import { registerVerifyCommand } from "./commands/verify.ts";
import { registerWarpCommand } from "./commands/warp.ts";
import { EXIT, reportError } from "./output.ts";

const program = new Command()
  .name("plasma")
  .description("Plasma: an open market for AI compute, paid in XPL")
  .option("--deployment <file>", "deployment file (default: $PLASMA_HOME/deployment.json)")
  .option("--account <name|key>", "signer: a devnet account name or a private key (or set PLASMA_PRIVATE_KEY)")
  .option("--rpc <url>", "override the deployment's RPC URL")
  .option("--json", "print machine-readable JSON")
  .showHelpAfterError("(run with --help for usage)")
  .exitOverride();

registerDevCommand(program);
registerDeployCommand(program);
registerProviderCommands(program);
registerMarketCommands(program);
registerLeaseCommands(program);
registerBalanceCommand(program);
registerDelegateCommand(program);
registerGovCommands(program);
registerStakeCommands(program);
registerRewardsCommands(program);
registerValidatorCommands(program);
registerIndexerCommand(program);
registerChannelCommands(program);
registerVerifyCommand(program);
registerWarpCommand(program);
registerRunCommand(program);
registerServeCommand(program);
registerCallCommand(program);
registerJobCommands(program);

try {
  await program.parseAsync(process.argv);
  process.exitCode ??= EXIT.ok; // a command may have set its own (plasma run: the job failed)
} catch (error) {
  if (
    error instanceof CommanderError &&
    (error.code === "commander.helpDisplayed" || error.code === "commander.version")
  ) {
    process.exitCode = EXIT.ok;
  } else {
    process.exitCode = reportError(error, process.argv.includes("--json"));
  }
}
