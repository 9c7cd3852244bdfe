export { computeMarketAbi, protocolParametersAbi, providerRegistryAbi, xplTokenAbi } from "./abis.ts";
export {
  computeMarketBytecode,
  protocolParametersBytecode,
  providerRegistryBytecode,
  xplTokenBytecode,
} from "./bytecode.ts";
