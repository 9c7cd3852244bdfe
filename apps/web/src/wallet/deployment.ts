// The SDK wants a Deployment; the API's /network answer carries everything in it except the keys of dev
// accounts, which the browser never needs (anvil signs for them).

import type { NetworkInfo } from "@plasma/indexer/api-types";
import type { Deployment } from "@plasma/sdk/browser";

export function toDeployment(network: NetworkInfo): Deployment {
  return {
    version: 1,
    chainId: network.chainId,
    rpcUrl: network.rpcUrl,
    deployer: network.deployer,
    deployedAtBlock: network.deployedAtBlock,
    contracts: network.contracts as Deployment["contracts"],
  };
}

/** Changes only when the chain or contracts do (a devnet restart), not with the indexer's progress. */
export function deploymentKey(network: NetworkInfo): string {
  return JSON.stringify([network.chainId, network.rpcUrl, network.contracts]);
}
