import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { type Address, isAddress } from "viem";
import { z } from "zod";
import { DeploymentNotFoundError, InvalidDeploymentError } from "./errors/errors.ts";

const address = z.string().refine((s): s is Address => isAddress(s, { strict: false }), "not an address");
const hexKey = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "not a 32-byte private key");

/** Where a Plasma deployment lives: the chain, the contracts, and (on a devnet) its named accounts. */
export const deploymentSchema = z.object({
  version: z.literal(1),
  chainId: z.number().int().positive(),
  rpcUrl: z.url(),
  /** WebSocket endpoint for event subscriptions, when the node has one. */
  wsUrl: z.url().optional(),
  deployer: address,
  deployedAtBlock: z.number().int().nonnegative(),
  contracts: z.object({
    xplToken: address,
    protocolParameters: address,
    providerRegistry: address,
    computeMarket: address,
    /** The rewards pool: pays each epoch's emission to providers and their delegators. */
    rewardsDistributor: address,
    /** Samples completed leases for re-execution by staked validators; holds payouts until verified. */
    verificationManager: address,
    /** Pay-per-request deposits: clients sign cumulative vouchers, providers redeem them. */
    paymentChannels: address,
    /** Owns every parameter, the registry's roles and the treasury; only the governor proposes to it. */
    timelock: address,
    governor: address,
  }),
  /** Named accounts with their keys: only for a local devnet, whose keys are public anyway. */
  devAccounts: z.record(z.string(), z.object({ address, privateKey: hexKey })).optional(),
});

/** A Plasma deployment. */
export type Deployment = z.infer<typeof deploymentSchema>;

/**
 * Reads and validates a deployment file.
 * @param path The file written by `plasma dev` or `plasma deploy`.
 * @returns The deployment.
 * @example
 * const deployment = readDeployment(`${process.env.HOME}/.plasma/deployment.json`);
 */
export function readDeployment(path: string): Deployment {
  if (!existsSync(path)) throw new DeploymentNotFoundError(path);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch {
    throw new InvalidDeploymentError(path, "it is not JSON");
  }
  const parsed = deploymentSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidDeploymentError(path, `${issue?.path.join(".") || "(root)"}: ${issue?.message}`);
  }
  return parsed.data;
}

/**
 * Writes a deployment file atomically (a reader never sees half a file).
 * @param path Where to write.
 * @param deployment What to write; validated first.
 */
export function writeDeployment(path: string, deployment: Deployment): void {
  const valid = deploymentSchema.parse(deployment);
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(valid, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, path);
}
