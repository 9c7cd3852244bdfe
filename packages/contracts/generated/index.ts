export {
  computeMarketAbi,
  plasmaGovernorAbi,
  protocolParametersAbi,
  providerRegistryAbi,
  timelockControllerAbi,
  xplTokenAbi,
} from "./abis.ts";
export {
  computeMarketBytecode,
  plasmaGovernorBytecode,
  protocolParametersBytecode,
  providerRegistryBytecode,
  timelockControllerBytecode,
  xplTokenBytecode,
} from "./bytecode.ts";
