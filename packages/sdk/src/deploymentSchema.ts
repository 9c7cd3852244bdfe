// The deployment's shape, apart from the files it is read from and written to (deployment.ts), so
// that the browser can use the type without Node.js modules.
import { type Address, isAddress } from "viem";
import { z } from "zod";

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
    /** Validator stake, and stake-weighted draws from the set frozen before each draw's seed block. */
    validatorSet: address,
    /** Assigned, disputable proof-of-GPU checks of offers, with every report kept. */
    hardwareChecks: address,
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
