import {
  computeMarketAbi,
  computeMarketBytecode,
  protocolParametersAbi,
  protocolParametersBytecode,
  providerRegistryAbi,
  providerRegistryBytecode,
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

/** Options of {@link deployPlasma}. */
export type DeployPlasmaParameters = {
  rpcUrl: string;
  wsUrl?: string | undefined;
  /** Key that pays for and owns the deployment (it hands ownership to governance later). */
  privateKey: Hex;
  /** Receiver of protocol fees; defaults to the deployer. */
  treasury?: Address | undefined;
  /** Genesis allocation; must add up to the total supply. Defaults to everything to the deployer. */
  allocations?: { to: Address; amount: bigint }[] | undefined;
};

/**
 * Deploys XPLToken, ProtocolParameters, ProviderRegistry and ComputeMarket to any EVM chain and wires
 * them (the market may reserve capacity and slash no-shows).
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
    const treasury = p.treasury ?? account.address;
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

    const protocolParameters = await deploy(protocolParametersAbi, protocolParametersBytecode, [
      account.address,
      treasury,
    ]);
    const xplToken = await deploy(xplTokenAbi, xplTokenBytecode, [
      allocations.map((a) => a.to),
      allocations.map((a) => a.amount),
    ]);
    const providerRegistry = await deploy(providerRegistryAbi, providerRegistryBytecode, [
      xplToken,
      protocolParameters,
      account.address,
    ]);
    const computeMarket = await deploy(computeMarketAbi, computeMarketBytecode, [
      xplToken,
      providerRegistry,
      protocolParameters,
    ]);
    for (const role of ["MARKET_ROLE", "SLASHER_ROLE"] as const) {
      const roleId = await publicClient.readContract({
        address: providerRegistry,
        abi: providerRegistryAbi,
        functionName: role,
      });
      await confirm(
        await wallet.writeContract({
          address: providerRegistry,
          abi: providerRegistryAbi,
          functionName: "grantRole",
          args: [roleId, computeMarket],
        }),
      );
    }
    return {
      version: 1,
      chainId,
      rpcUrl: p.rpcUrl,
      ...(p.wsUrl ? { wsUrl: p.wsUrl } : {}),
      deployer: account.address,
      deployedAtBlock: Number(startBlock),
      contracts: { xplToken, protocolParameters, providerRegistry, computeMarket },
    };
  } catch (error) {
    throw toPlasmaError(error, p.rpcUrl);
  }
}
