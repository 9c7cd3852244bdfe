// Runs an SDK write for the connected wallet: pending state for the button, the error for the page, and
// afterwards a refresh of what the transaction changed (balances, the API's views).

import type { PlasmaClient } from "@plasma/sdk/browser";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { requireClient, useWallet } from "./WalletContext.ts";

export function useChainAction<Args, Result>(
  action: (client: PlasmaClient, args: Args) => Promise<Result>,
  options: { onSuccess?: (result: Result, args: Args) => void } = {},
) {
  const wallet = useWallet();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (args: Args) => action(requireClient(wallet), args),
    onSuccess: (result, args) => {
      // The indexer sees the transaction within a block or two; refetch now and the polls catch up.
      void queryClient.invalidateQueries();
      options.onSuccess?.(result, args);
    },
  });
}
