export {
  computeMarketAbi,
  plasmaGovernorAbi,
  protocolParametersAbi,
  providerRegistryAbi,
  rewardsDistributorAbi,
  timelockControllerAbi,
  verificationManagerAbi,
  xplTokenAbi,
} from "./abis.ts";
export {
  computeMarketBytecode,
  plasmaGovernorBytecode,
  protocolParametersBytecode,
  providerRegistryBytecode,
  rewardsDistributorBytecode,
  timelockControllerBytecode,
  verificationManagerBytecode,
  xplTokenBytecode,
} from "./bytecode.ts";
