// The connected account's XPL balance, read from the chain through the SDK.

import { getXplBalance } from "@plasma/sdk/browser";
import { useQuery } from "@tanstack/react-query";
import { useWallet } from "./WalletContext.ts";

export const BALANCE_KEY = "xpl-balance";

export function useXplBalance() {
  const { connection } = useWallet();
  const client = connection?.client ?? null;
  const address = connection?.address;
  return useQuery({
    queryKey: [BALANCE_KEY, address, client?.chain.id],
    queryFn: () => {
      if (!client || !address) throw new Error("No wallet connected.");
      return getXplBalance(client, address);
    },
    enabled: Boolean(client && address),
    refetchInterval: 5000,
  });
}
