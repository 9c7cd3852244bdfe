export {
  computeMarketAbi,
  plasmaGovernorAbi,
  protocolParametersAbi,
  providerRegistryAbi,
  rewardsDistributorAbi,
  timelockControllerAbi,
  xplTokenAbi,
} from "./abis.ts";
export {
  computeMarketBytecode,
  plasmaGovernorBytecode,
  protocolParametersBytecode,
  providerRegistryBytecode,
  rewardsDistributorBytecode,
  timelockControllerBytecode,
  xplTokenBytecode,
} from "./bytecode.ts";
