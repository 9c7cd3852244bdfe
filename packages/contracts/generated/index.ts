export {
  computeMarketAbi,
  paymentChannelsAbi,
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
  paymentChannelsBytecode,
  plasmaGovernorBytecode,
  protocolParametersBytecode,
  providerRegistryBytecode,
  rewardsDistributorBytecode,
  timelockControllerBytecode,
  verificationManagerBytecode,
  xplTokenBytecode,
} from "./bytecode.ts";
