import { parseEther } from "viem";
import { transferXpl } from "../actions/token.ts";
import { createPlasmaClient } from "../clients/createPlasmaClient.ts";
import { DEFAULT_GOVERNANCE, deployPlasma, type GovernanceSettings, XPL_TOTAL_SUPPLY } from "../deploy/deployPlasma.ts";
import type { Deployment } from "../deployment.ts";
import { type Anvil, startAnvil } from "./anvil.ts";
import { devAccounts } from "./devAccounts.ts";

/** XPL each funded dev account starts with. */
export const DEV_ACCOUNT_XPL = parseEther("1000000");
/** XPL the treasury starts with. */
export const DEV_TREASURY_XPL = parseEther("200000000");

/** XPL the rewards pool starts with. */
export const DEV_REWARDS_POOL_XPL = parseEther("100000000");
/** Rewards epochs on the devnet: an hour, so that a reward can be claimed the same day. */
export const DEV_REWARDS_EPOCH_SECONDS = 3600;

/** Governance on the devnet: minutes instead of days, so that a proposal's life can be tried by hand. */
export const DEV_GOVERNANCE: GovernanceSettings = {
  ...DEFAULT_GOVERNANCE,
  votingDelay: 60,
  votingPeriod: 300,
  timelockDelay: 60,
};

/** A local chain with Plasma deployed and the dev accounts funded. */
export type Devnet = { anvil: Anvil; deployment: Deployment; stop(): Promise<void> };

/**
 * Starts anvil, deploys every contract and funds the named dev accounts (client, provider1,
 * provider2, validator, builder) with XPL from the genesis allocation.
 * @example const devnet = await startDevnet({ port: 0 }); … await devnet.stop();
 */
export async function startDevnet(options: { port?: number } = {}): Promise<Devnet> {
  const anvil = await startAnvil({ port: options.port ?? 0 });
  try {
    const accounts = devAccounts();
    const funded = [accounts.client, accounts.provider1, accounts.provider2, accounts.validator, accounts.builder];
    const allocations = funded.map((a) => ({ to: a.address, amount: DEV_ACCOUNT_XPL }));
    // The rest (the rewards pool and the treasury, until their contracts exist) stays with the deployer.
    const rest = XPL_TOTAL_SUPPLY - allocations.reduce((sum, a) => sum + a.amount, 0n);
    allocations.push({ to: accounts.deployer.address, amount: rest });
    const deployment = await deployPlasma({
      rpcUrl: anvil.rpcUrl,
      wsUrl: anvil.wsUrl,
      privateKey: accounts.deployer.privateKey,
      allocations,
      governance: DEV_GOVERNANCE,
      rewardsEpochSeconds: DEV_REWARDS_EPOCH_SECONDS,
      rewardsPool: DEV_REWARDS_POOL_XPL,
    });
    // The treasury is the timelock, which exists only once deployed: fund it with a plain transfer.
    const deployer = createPlasmaClient({ deployment, account: accounts.deployer.privateKey });
    await transferXpl(deployer, { to: deployment.contracts.timelock, amount: DEV_TREASURY_XPL });
    await deployer.close();
    deployment.devAccounts = accounts;
    return { anvil, deployment, stop: () => anvil.stop() };
  } catch (error) {
    await anvil.stop();
    throw error;
  }
}
