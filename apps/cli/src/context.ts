import { homedir } from "node:os";
import { join } from "node:path";
import {
  ChainMismatchError,
  ContractsNotDeployedError,
  createPlasmaClient,
  DEV_ACCOUNT_NAMES,
  type Deployment,
  type DevAccountName,
  type PlasmaClient,
  RpcUnreachableError,
  readDeployment,
} from "@plasma/sdk";
import type { Command } from "commander";
import type { Hex } from "viem";
import { createOutput, type Output, UsageError } from "./output.ts";

/** Options every command accepts. */
export type GlobalOptions = { deployment?: string; account?: string; rpc?: string; json?: boolean };

/** Where Plasma keeps its files: $PLASMA_HOME, else ~/.plasma. */
export function plasmaHome(): string {
  return process.env.PLASMA_HOME ?? join(homedir(), ".plasma");
}

/** The deployment file: --deployment, else $PLASMA_DEPLOYMENT, else $PLASMA_HOME/deployment.json. */
export function deploymentPath(options: GlobalOptions): string {
  return options.deployment ?? process.env.PLASMA_DEPLOYMENT ?? join(plasmaHome(), "deployment.json");
}

const PRIVATE_KEY = /^0x[0-9a-fA-F]{64}$/;

/**
 * Resolves the signing key: --account (a dev account name or a private key), else
 * $PLASMA_PRIVATE_KEY, else the command's default dev account on a devnet.
 */
export function resolveKey(
  options: GlobalOptions,
  deployment: Deployment,
  defaultAccount?: DevAccountName,
): Hex | undefined {
  const env = process.env.PLASMA_PRIVATE_KEY || undefined; // an empty variable counts as unset
  const chosen = options.account ?? (env ? undefined : defaultAccount);
  if (chosen === undefined) {
    if (env && !PRIVATE_KEY.test(env)) {
      throw new UsageError("PLASMA_PRIVATE_KEY is not a 32-byte hex private key.", {
        metaMessages: ["Set it to 0x followed by 64 hex digits."],
      });
    }
    return env as Hex | undefined;
  }
  if (PRIVATE_KEY.test(chosen)) return chosen as Hex;
  const dev = deployment.devAccounts?.[chosen];
  if (dev) return dev.privateKey as Hex;
  const names = deployment.devAccounts ? DEV_ACCOUNT_NAMES.join(", ") : "(none: this is not a devnet)";
  throw new UsageError(`Unknown account "${chosen}".`, {
    metaMessages: [`Use a dev account name (${names}) or a private key; prefer PLASMA_PRIVATE_KEY for real keys.`],
  });
}

/** What a command needs: its output, the deployment and a connected client. */
export type Context = { out: Output; deployment: Deployment; client: PlasmaClient; options: GlobalOptions };

/** The merged global and command options of a commander command. */
export function optionsOf(command: Command): GlobalOptions {
  return command.optsWithGlobals() as GlobalOptions;
}

/**
 * Loads the deployment, creates a client (with the resolved account) and checks that the chain
 * answers, has the right id and holds the contracts, so that a stale devnet is named as such.
 */
export async function connect(command: Command, defaultAccount?: DevAccountName): Promise<Context> {
  const options = optionsOf(command);
  const out = createOutput(Boolean(options.json));
  const deployment = readDeployment(deploymentPath(options));
  const rpcUrl = options.rpc ?? deployment.rpcUrl;
  const client = createPlasmaClient({
    deployment,
    rpcUrl,
    wsUrl: options.rpc ? undefined : deployment.wsUrl,
    account: resolveKey(options, deployment, defaultAccount),
  });
  let chainId: number;
  let code: string | undefined;
  try {
    [chainId, code] = await Promise.all([
      client.public.getChainId(),
      client.public.getCode({ address: deployment.contracts.computeMarket }),
    ]);
  } catch (error) {
    throw new RpcUnreachableError(rpcUrl, error);
  }
  if (chainId !== deployment.chainId) throw new ChainMismatchError(rpcUrl, deployment.chainId, chainId);
  if (!code || code === "0x") throw new ContractsNotDeployedError(deployment.contracts.computeMarket, rpcUrl);
  return { out, deployment, client, options };
}

/** The signing account's address, or a usage error naming the flag to pass. */
export function signer(ctx: Context): `0x${string}` {
  const address = ctx.client.account?.address;
  if (!address) {
    throw new UsageError("This command needs an account.", {
      metaMessages: ["Pass --account NAME|KEY or set PLASMA_PRIVATE_KEY."],
    });
  }
  return address;
}
