// Holds the wallet connection: a browser wallet (EIP-1193) or, on a devnet, one of anvil's unlocked dev
// accounts. Both end in an SDK client whose writes go through the wallet (or anvil) and reads to the RPC.

import { createPlasmaClient } from "@plasma/sdk/browser";
import { type ReactNode, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { type Address, custom, getAddress, http } from "viem";
import { useNetwork } from "../api/queries.ts";
import { deploymentKey, toDeployment } from "./deployment.ts";
import { ensureChain, injectedProvider, walletChainId } from "./injected.ts";
import { type WalletConnection, WalletContext, type WalletContextValue, type WalletKind } from "./WalletContext.ts";

/** Remembers the last choice so that a reload reconnects without asking. */
const STORAGE_KEY = "plasma.wallet";
type Remembered = { kind: "injected" } | { kind: "dev"; name: string };

function remember(choice: Remembered | null) {
  try {
    if (choice) localStorage.setItem(STORAGE_KEY, JSON.stringify(choice));
    else localStorage.removeItem(STORAGE_KEY);
  } catch {
    // Storage can be off (private mode); the connection just will not survive a reload.
  }
}

function remembered(): Remembered | null {
  try {
    const value: unknown = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? "null");
    if (typeof value !== "object" || value === null) return null;
    const v = value as { kind?: unknown; name?: unknown };
    if (v.kind === "injected") return { kind: "injected" };
    if (v.kind === "dev" && typeof v.name === "string") return { kind: "dev", name: v.name };
  } catch {
    // Unreadable: treat as nothing remembered.
  }
  return null;
}

/** Who is connected; the SDK client is derived from it and the network's deployment. */
type Session = { kind: WalletKind; address: Address; label: string; wrongChainId: number | null };

export function WalletProvider({ children }: { children: ReactNode }) {
  const networkQuery = useNetwork();
  const network = networkQuery.data;
  const [session, setSession] = useState<Session | null>(null);
  const [connecting, setConnecting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const provider = injectedProvider();

  // The client is rebuilt only when the chain or contracts change, not at every /network poll.
  const key = network ? deploymentKey(network) : null;
  const networkRef = useRef(network);
  networkRef.current = network;
  const client = useMemo(() => {
    const net = networkRef.current;
    if (!session || !net || key === null || session.wrongChainId !== null) return null;
    const walletTransport = session.kind === "injected" && provider ? custom(provider) : http(net.rpcUrl);
    return createPlasmaClient({
      deployment: toDeployment(net),
      account: { address: session.address, type: "json-rpc" },
      walletTransport,
    });
  }, [session, key, provider]);

  const connectDev = useCallback((name: string) => {
    const account = networkRef.current?.devAccounts.find((a) => a.name === name);
    if (!account) {
      setError(`There is no dev account named "${name}" on this network.`);
      return;
    }
    setError(null);
    setSession({
      kind: "dev",
      address: getAddress(account.address),
      label: `Dev account: ${name}`,
      wrongChainId: null,
    });
    remember({ kind: "dev", name });
  }, []);

  const connectInjected = useCallback(async () => {
    const net = networkRef.current;
    if (!provider) {
      setError("No browser wallet found. Install one (e.g. MetaMask) or use a dev account on a devnet.");
      return;
    }
    if (!net) {
      setError("The network is not known yet: the API has not answered /network.");
      return;
    }
    setConnecting(true);
    setError(null);
    try {
      const [first] = await provider.request({ method: "eth_requestAccounts" });
      if (!first) throw new Error("Your wallet shared no account.");
      await ensureChain(provider, net);
      setSession({ kind: "injected", address: getAddress(first), label: "Browser wallet", wrongChainId: null });
      remember({ kind: "injected" });
    } catch (e) {
      const code = (e as { code?: unknown } | null)?.code;
      setError(code === 4001 ? "You declined the connection in your wallet." : (e as Error).message);
    } finally {
      setConnecting(false);
    }
  }, [provider]);

  const switchChain = useCallback(async () => {
    const net = networkRef.current;
    if (!provider || !net) return;
    setError(null);
    try {
      await ensureChain(provider, net);
      setSession((s) => (s ? { ...s, wrongChainId: null } : s));
    } catch (e) {
      setError((e as Error).message);
    }
  }, [provider]);

  const disconnect = useCallback(() => {
    setSession(null);
    setError(null);
    remember(null);
  }, []);

  // Reconnect what was chosen before, once the network is known; a browser wallet only if it still
  // shares an account without prompting (eth_accounts).
  const restored = useRef(false);
  useEffect(() => {
    if (!network || restored.current) return;
    restored.current = true;
    const choice = remembered();
    if (choice?.kind === "dev") connectDev(choice.name);
    if (choice?.kind === "injected" && provider) {
      void (async () => {
        try {
          const [first] = await provider.request({ method: "eth_accounts" });
          if (!first) return;
          const chainId = await walletChainId(provider);
          setSession({
            kind: "injected",
            address: getAddress(first),
            label: "Browser wallet",
            wrongChainId: chainId === network.chainId ? null : chainId,
          });
        } catch {
          // The wallet did not answer; the user can connect by hand.
        }
      })();
    }
  }, [network, provider, connectDev]);

  // Follow the browser wallet: another account, no account (locked), another chain.
  const injectedConnected = session?.kind === "injected";
  const chainId = network?.chainId;
  useEffect(() => {
    if (!injectedConnected || !provider) return;
    const onAccounts = (accounts: Address[]) => {
      const [first] = accounts;
      if (!first) {
        setSession(null);
        remember(null);
        return;
      }
      setSession((s) => (s ? { ...s, address: getAddress(first) } : s));
    };
    const onChain = (hexChainId: string) => {
      const id = Number.parseInt(hexChainId, 16);
      setSession((s) => (s ? { ...s, wrongChainId: id === chainId ? null : id } : s));
    };
    provider.on("accountsChanged", onAccounts);
    provider.on("chainChanged", onChain);
    return () => {
      provider.removeListener("accountsChanged", onAccounts);
      provider.removeListener("chainChanged", onChain);
    };
  }, [injectedConnected, provider, chainId]);

  const connection: WalletConnection | null = useMemo(
    () => (session ? { ...session, client } : null),
    [session, client],
  );

  const value: WalletContextValue = useMemo(
    () => ({
      network,
      connection,
      connecting,
      error,
      hasInjected: Boolean(provider),
      devAccounts: network?.devAccounts ?? [],
      connectInjected,
      connectDev,
      switchChain,
      disconnect,
      clearError: () => setError(null),
    }),
    [network, connection, connecting, error, provider, connectInjected, connectDev, switchChain, disconnect],
  );

  return <WalletContext value={value}>{children}</WalletContext>;
}
