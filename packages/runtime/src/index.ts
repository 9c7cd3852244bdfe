export { type ContainerPolicy, containerOptions } from "./docker/containerOptions.ts";
export {
  type DockerEngine,
  type DockerRunOptions,
  DockerUnavailableError,
  dockerEngine,
  dockerStatus,
  runInDocker,
} from "./docker/runInDocker.ts";
export {
  buildManifest,
  hashManifest,
  type ManifestEntry,
  NODE_REPORT_DIR,
  resultEntries,
  resultHash,
  sha256File,
} from "./manifest.ts";
export { bwrapArgs, SANDBOX_TOOLS_DIR, type SandboxPolicy } from "./sandbox/bwrapArgs.ts";
export { createMemoryLimit, type MemoryLimit } from "./sandbox/memoryLimit.ts";
export {
  BWRAP,
  type RunOptions,
  type RunResult,
  runSandboxed,
  SandboxUnavailableError,
  sandboxAvailable,
} from "./sandbox/runSandboxed.ts";
