// The browser wallet (EIP-1193, `window.ethereum`): finding it, and putting it on the network's chain.

import type { NetworkInfo } from "@plasma/indexer/api-types";
import { type EIP1193Provider, numberToHex } from "viem";

declare global {
  interface Window {
    ethereum?: EIP1193Provider | undefined;
  }
}

export function injectedProvider(): EIP1193Provider | undefined {
  return typeof window === "undefined" ? undefined : window.ethereum;
}

/** EIP-1193 error code for "the user rejected the request". */
const USER_REJECTED = 4001;

function rpcErrorCode(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === "number" ? code : undefined;
}

export async function walletChainId(provider: EIP1193Provider): Promise<number> {
  return Number.parseInt(await provider.request({ method: "eth_chainId" }), 16);
}

/** Why the wallet is not usable on this network, with what to add to it by hand. */
export function wrongChainMessage(network: NetworkInfo, current: number | undefined): string {
  const on = current === undefined ? "" : `Your wallet is on chain ${current}. `;
  return `${on}Plasma runs on chain ${network.chainId}: add a network with chain ID ${network.chainId} and RPC URL ${network.rpcUrl} to your wallet, select it, then connect again.`;
}

/**
 * Puts the wallet on the network's chain: switch if it knows the chain, else add it with the RPC URL.
 * Throws an Error naming the chain id and RPC URL when the wallet will not (so the user can add it by hand).
 */
export async function ensureChain(provider: EIP1193Provider, network: NetworkInfo): Promise<void> {
  const current = await walletChainId(provider);
  if (current === network.chainId) return;
  const chainId = numberToHex(network.chainId);
  try {
    await provider.request({ method: "wallet_switchEthereumChain", params: [{ chainId }] });
  } catch (switchError) {
    if (rpcErrorCode(switchError) === USER_REJECTED) throw new Error(wrongChainMessage(network, current));
    // Most wallets answer 4902 for a chain they do not know; some answer other codes, so add in every case.
    try {
      await provider.request({
        method: "wallet_addEthereumChain",
        params: [
          {
            chainId,
            chainName: `Plasma (chain ${network.chainId})`,
            nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
            rpcUrls: [network.rpcUrl],
          },
        ],
      });
    } catch {
      throw new Error(wrongChainMessage(network, current));
    }
  }
  const after = await walletChainId(provider);
  if (after !== network.chainId) throw new Error(wrongChainMessage(network, after));
}
