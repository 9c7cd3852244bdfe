// What the wallet provider shares with the app; kept apart from the provider component so that pages
// import the hook without the connection machinery.

import type { NetworkInfo } from "@plasma/indexer/api-types";
import type { PlasmaClient } from "@plasma/sdk/browser";
import { createContext, useContext } from "react";
import type { Address } from "viem";

export type WalletKind = "injected" | "dev";

export type WalletConnection = {
  kind: WalletKind;
  address: Address;
  /** "Browser wallet", or "Dev account: client". */
  label: string;
  /** Null while a browser wallet sits on another chain than the network's. */
  client: PlasmaClient | null;
  /** The chain the browser wallet is on when it is not the network's. */
  wrongChainId: number | null;
};

export type WalletContextValue = {
  network: NetworkInfo | undefined;
  connection: WalletConnection | null;
  connecting: boolean;
  /** Why the last connection attempt failed, for the connect menu. */
  error: string | null;
  hasInjected: boolean;
  devAccounts: NetworkInfo["devAccounts"];
  connectInjected(): Promise<void>;
  connectDev(name: string): void;
  switchChain(): Promise<void>;
  disconnect(): void;
  clearError(): void;
};

export const WalletContext = createContext<WalletContextValue | null>(null);

export function useWallet(): WalletContextValue {
  const value = useContext(WalletContext);
  if (!value) throw new Error("useWallet must be used inside <WalletProvider>.");
  return value;
}

/** The SDK client for a chain action, or an Error saying what the user must do first. */
export function requireClient(wallet: WalletContextValue): PlasmaClient {
  const { connection, network } = wallet;
  if (!connection) throw new Error("Connect a wallet first.");
  if (!connection.client) {
    const chain = network ? `chain ${network.chainId}` : "the network's chain";
    throw new Error(`Your wallet is on chain ${connection.wrongChainId ?? "?"}; switch it to ${chain} first.`);
  }
  return connection.client;
}
