export { loadProviderConfig, type ProviderConfig, ProviderConfigError, providerConfigSchema } from "./config.ts";
export { detectGpus, type Gpu, type GpuDetection, gpuModel, parseNvidiaSmiCsv } from "./hardware/nvidiaSmi.ts";
export { createLogger, type Logger } from "./logger.ts";
export { SERVE_SOCKET } from "./runner/jobRunner.ts";
export type { JobRuntimes } from "./runner/runtimes.ts";
export { type ProviderNode, startProviderNode } from "./service.ts";
