import {
  computeMarketAbi,
  computeMarketBytecode,
  hardwareChecksAbi,
  hardwareChecksBytecode,
  paymentChannelsAbi,
  paymentChannelsBytecode,
  plasmaGovernorAbi,
  plasmaGovernorBytecode,
  protocolParametersAbi,
  protocolParametersBytecode,
  providerRegistryAbi,
  providerRegistryBytecode,
  rewardsDistributorAbi,
  rewardsDistributorBytecode,
  timelockControllerAbi,
  timelockControllerBytecode,
  validatorSetAbi,
  validatorSetBytecode,
  verificationManagerAbi,
  verificationManagerBytecode,
  xplTokenAbi,
  xplTokenBytecode,
} from "@plasma/contracts";
import {
  type Abi,
  type Address,
  createPublicClient,
  createWalletClient,
  defineChain,
  type Hex,
  http,
  parseEther,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import type { Deployment } from "../deployment.ts";
import { toPlasmaError } from "../errors/contract.ts";
import { InvalidArgumentError, TransactionRevertedError } from "../errors/errors.ts";

/** The fixed XPL supply, in wei. */
export const XPL_TOTAL_SUPPLY = parseEther("1000000000");

/** Governance timings and thresholds; the governor can change them later (except the quorum's base). */
export type GovernanceSettings = {
  /** Seconds between a proposal and its vote. */
  votingDelay: number;
  /** Seconds a vote stays open. */
  votingPeriod: number;
  /** Seconds a passed proposal waits in the timelock before it can run. */
  timelockDelay: number;
  /** Votes (XPL wei) needed to propose. */
  proposalThreshold: bigint;
  /** Share of the supply, in %, that must vote for (or abstain) for a proposal to pass. */
  quorumPercent: number;
};

/** Production defaults: a day to notice a proposal, five to vote, two before it runs. */
export const DEFAULT_GOVERNANCE: GovernanceSettings = {
  votingDelay: 86_400,
  votingPeriod: 5 * 86_400,
  timelockDelay: 2 * 86_400,
  proposalThreshold: parseEther("100000"),
  quorumPercent: 4,
};

/** Options of {@link deployPlasma}. */
export type DeployPlasmaParameters = {
  rpcUrl: string;
  wsUrl?: string | undefined;
  /** Key that pays for the deployment; it keeps no power over the protocol afterwards. */
  privateKey: Hex;
  /** Receiver of protocol fees; defaults to the timelock (the governed treasury). */
  treasury?: Address | undefined;
  governance?: Partial<GovernanceSettings> | undefined;
  /** Genesis allocation; must add up to the total supply. Defaults to everything to the deployer. */
  allocations?: { to: Address; amount: bigint }[] | undefined;
  /** Seconds per rewards epoch (default a day). */
  rewardsEpochSeconds?: number | undefined;
  /** XPL (wei) the deployer moves into the rewards pool after deployment (default none). */
  rewardsPool?: bigint | undefined;
};

/** Rewards epochs last a day unless the deployment says otherwise. */
export const DEFAULT_REWARDS_EPOCH_SECONDS = 86_400;

/**
 * Deploys XPLToken, ProtocolParameters, ProviderRegistry, RewardsDistributor, VerificationManager,
 * ComputeMarket, a TimelockController and the PlasmaGovernor to any EVM chain and wires them, once and for
 * good: the market may reserve capacity, slash no-shows, record work for rewards and report the collateral a
 * provider's verified leases lock (no unstake may go below it), the verification manager may slash providers
 * whose results were not reproduced, the distributor may pay delegators; nobody, governance included, can name
 * another. The timelock owns every parameter and the treasury, only the governor may propose to it, and the
 * deployer keeps no power.
 * @returns The deployment, ready for `writeDeployment`.
 * @example const deployment = await deployPlasma({ rpcUrl: "http://127.0.0.1:8545", privateKey: "0xac09…" });
 */
export async function deployPlasma(p: DeployPlasmaParameters): Promise<Deployment> {
  const account = privateKeyToAccount(p.privateKey);
  const transport = http(p.rpcUrl, { retryCount: 0 });
  try {
    const probe = createPublicClient({ transport });
    const chainId = await probe.getChainId();
    const chain = defineChain({
      id: chainId,
      name: `chain ${chainId}`,
      nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
      rpcUrls: { default: { http: [p.rpcUrl] } },
    });
    const publicClient = createPublicClient({ chain, transport, pollingInterval: 100 });
    const wallet = createWalletClient({ chain, transport, account });
    const gov = { ...DEFAULT_GOVERNANCE, ...p.governance };
    const allocations = p.allocations ?? [{ to: account.address, amount: XPL_TOTAL_SUPPLY }];
    const sum = allocations.reduce((total, a) => total + a.amount, 0n);
    if (sum !== XPL_TOTAL_SUPPLY) {
      throw new InvalidArgumentError(
        `The genesis allocation adds up to ${sum} wei, not the total supply ${XPL_TOTAL_SUPPLY}.`,
        "Make the allocations add up to exactly 1,000,000,000 XPL.",
      );
    }
    const startBlock = await publicClient.getBlockNumber();

    const confirm = async (hash: Hex) => {
      const receipt = await publicClient.waitForTransactionReceipt({ hash });
      if (receipt.status !== "success") throw new TransactionRevertedError(hash);
      return receipt;
    };
    const deploy = async (abi: Abi, bytecode: Hex, args: readonly unknown[]): Promise<Address> => {
      const receipt = await confirm(await wallet.deployContract({ abi, bytecode, args }));
      if (!receipt.contractAddress) throw new Error("deployment receipt has no contract address");
      return receipt.contractAddress;
    };

    const write = async (address: Address, abi: Abi, functionName: string, args: readonly unknown[]) =>
      confirm(await wallet.writeContract({ address, abi, functionName, args }));
    const role = (address: Address, abi: Abi, name: string) =>
      publicClient.readContract({ address, abi, functionName: name }) as Promise<Hex>;

    // Anyone may execute a passed proposal (executor address(0)); the deployer is admin only until wired.
    const timelock = await deploy(timelockControllerAbi, timelockControllerBytecode, [
      BigInt(gov.timelockDelay),
      [],
      ["0x0000000000000000000000000000000000000000"],
      account.address,
    ]);
    const treasury = p.treasury ?? timelock;
    const protocolParameters = await deploy(protocolParametersAbi, protocolParametersBytecode, [timelock, treasury]);
    const xplToken = await deploy(xplTokenAbi, xplTokenBytecode, [
      allocations.map((a) => a.to),
      allocations.map((a) => a.amount),
    ]);
    const providerRegistry = await deploy(providerRegistryAbi, providerRegistryBytecode, [
      xplToken,
      protocolParameters,
      account.address,
    ]);
    const rewardsDistributor = await deploy(rewardsDistributorAbi, rewardsDistributorBytecode, [
      xplToken,
      providerRegistry,
      protocolParameters,
      BigInt(p.rewardsEpochSeconds ?? DEFAULT_REWARDS_EPOCH_SECONDS),
      account.address,
    ]);
    // Validators stake in the validator set, which the verification manager and the hardware checks draw from.
    const validatorSet = await deploy(validatorSetAbi, validatorSetBytecode, [xplToken, protocolParameters]);
    const verificationManager = await deploy(verificationManagerAbi, verificationManagerBytecode, [
      xplToken,
      providerRegistry,
      protocolParameters,
      validatorSet,
      account.address,
    ]);
    const hardwareChecks = await deploy(hardwareChecksAbi, hardwareChecksBytecode, [
      xplToken,
      validatorSet,
      providerRegistry,
      protocolParameters,
    ]);
    // Once, by the deployer: nobody (governance included) can name other callers later.
    await write(validatorSet, validatorSetAbi, "setCallers", [verificationManager, hardwareChecks]);
    const computeMarket = await deploy(computeMarketAbi, computeMarketBytecode, [
      xplToken,
      providerRegistry,
      protocolParameters,
      rewardsDistributor,
      verificationManager,
    ]);
    await write(verificationManager, verificationManagerAbi, "setMarket", [computeMarket]);
    // The only contracts that may slash, take capacity, add delegator rewards and record work, named once: no
    // one, governance included, can name another. The registry also asks the market how much of a provider's
    // backing its verified leases lock, and reads the distributor's epochs (rewards go to the stake of their epoch).
    await write(providerRegistry, providerRegistryAbi, "setCallers", [
      computeMarket,
      verificationManager,
      rewardsDistributor,
    ]);
    await write(rewardsDistributor, rewardsDistributorAbi, "setMarket", [computeMarket]);
    const paymentChannels = await deploy(paymentChannelsAbi, paymentChannelsBytecode, [xplToken, protocolParameters]);
    const governor = await deploy(plasmaGovernorAbi, plasmaGovernorBytecode, [
      xplToken,
      timelock,
      gov.votingDelay,
      gov.votingPeriod,
      gov.proposalThreshold,
      BigInt(gov.quorumPercent),
    ]);
    for (const name of ["PROPOSER_ROLE", "CANCELLER_ROLE"]) {
      await write(timelock, timelockControllerAbi, "grantRole", [
        await role(timelock, timelockControllerAbi, name),
        governor,
      ]);
    }
    // The verification manager's admin role held one power, naming the market once, now spent.
    const admin = await role(verificationManager, verificationManagerAbi, "DEFAULT_ADMIN_ROLE");
    await write(verificationManager, verificationManagerAbi, "grantRole", [admin, timelock]);
    await write(verificationManager, verificationManagerAbi, "renounceRole", [admin, account.address]);
    if (p.rewardsPool && p.rewardsPool > 0n) {
      await write(xplToken, xplTokenAbi, "transfer", [rewardsDistributor, p.rewardsPool]);
    }
    const timelockAdmin = await role(timelock, timelockControllerAbi, "DEFAULT_ADMIN_ROLE");
    await write(timelock, timelockControllerAbi, "renounceRole", [timelockAdmin, account.address]);
    return {
      version: 1,
      chainId,
      rpcUrl: p.rpcUrl,
      ...(p.wsUrl ? { wsUrl: p.wsUrl } : {}),
      deployer: account.address,
      deployedAtBlock: Number(startBlock),
      contracts: {
        xplToken,
        protocolParameters,
        providerRegistry,
        computeMarket,
        rewardsDistributor,
        verificationManager,
        validatorSet,
        hardwareChecks,
        paymentChannels,
        timelock,
        governor,
      },
    };
  } catch (error) {
    throw toPlasmaError(error, p.rpcUrl);
  }
}
