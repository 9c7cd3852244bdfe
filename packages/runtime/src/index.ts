export { type ContainerPolicy, containerOptions } from "./docker/containerOptions.ts";
export {
  type DockerEngine,
  type DockerRunOptions,
  DockerUnavailableError,
  dockerEngine,
  dockerStatus,
  runInDocker,
} from "./docker/runInDocker.ts";
export { connectJobSocket, JobSocketAgent, JobSocketError } from "./jobSocket.ts";
export {
  buildManifest,
  hashManifest,
  MAX_OUTPUT_FILES,
  type ManifestEntry,
  NODE_REPORT_DIR,
  OutputsError,
  resultEntries,
  resultHash,
  sha256File,
} from "./manifest.ts";
export { bwrapArgs, SANDBOX_TOOLS_DIR, SANDBOX_UID, type SandboxPolicy } from "./sandbox/bwrapArgs.ts";
export {
  EGRESS_DENIED_RANGES,
  EGRESS_NAMESERVERS,
  EgressUnavailableError,
  egressUnavailable,
} from "./sandbox/egressNetwork.ts";
export { createJobCgroup, type JobCgroup } from "./sandbox/jobCgroup.ts";
export { JOB_UID_BASE } from "./sandbox/jobUser.ts";
export {
  BWRAP,
  DEFAULT_MAX_PROCESSES,
  type RunOptions,
  type RunResult,
  runSandboxed,
  SandboxUnavailableError,
  sandboxAvailable,
} from "./sandbox/runSandboxed.ts";
export { seccompFilter } from "./sandbox/seccomp.ts";
export { createWorkArea, removeWorkArea, type WorkArea } from "./workArea.ts";
