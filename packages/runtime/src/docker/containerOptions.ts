import type { ContainerCreateOptions } from "dockerode";
import type { SandboxPolicy } from "../sandbox/bwrapArgs.ts";

/** What a Docker job needs beyond the sandbox policy. */
export type ContainerPolicy = SandboxPolicy & {
  image: string;
  /** Memory limit for the container, in bytes (swap included: the job gets no swap). */
  memoryBytes?: number | undefined;
  /** `uid:gid` the job runs as: the owner of the work directory, so it can write its outputs. */
  user: string;
  /** Most processes and threads at once (4096 by default, as in the sandbox). */
  maxProcesses?: number | undefined;
  /** Labels that let the node find its containers again (e.g. after a restart). */
  labels?: Record<string, string>;
};

/** Largest /dev/shm a job gets; PyTorch data loaders need more than Docker's 64 MiB default. */
const MAX_SHM_BYTES = 8 * 1024 ** 3;
const DEFAULT_SHM_BYTES = 1024 ** 3;

/**
 * The Engine API `POST /containers/create` body for a job: the work directory at /work and a private
 * /tmp as the only writable places, no capabilities, no privilege escalation, no network, and only the
 * leased GPUs (an NVIDIA device request by index).
 */
export function containerOptions(policy: ContainerPolicy): ContainerCreateOptions {
  const gpus = policy.gpus.map(String);
  return {
    Image: policy.image,
    Cmd: policy.command,
    // An image's own entrypoint would change what the spec's command means, and its hash with it.
    Entrypoint: [""],
    WorkingDir: "/work",
    User: policy.user,
    Env: Object.entries({
      HOME: "/work",
      TMPDIR: "/tmp",
      PYTHONUNBUFFERED: "1",
      ...policy.env,
    }).map(([name, value]) => `${name}=${value}`),
    Labels: policy.labels ?? {},
    Hostname: "plasma-job",
    // No network, ever: runInDocker refuses egress until the engine's network can be confined like the sandbox's.
    NetworkDisabled: true,
    AttachStdout: true,
    AttachStderr: true,
    HostConfig: {
      Binds: [`${policy.workDir}:/work:rw`],
      NetworkMode: "none",
      ReadonlyRootfs: true,
      // Any uid may write there: jobs run as a uid of their own, not root.
      Tmpfs: { "/tmp": "rw,nosuid,nodev,size=1g,mode=1777" },
      CapDrop: ["ALL"],
      SecurityOpt: ["no-new-privileges"],
      PidsLimit: policy.maxProcesses ?? 4096,
      Init: true,
      ...(policy.memoryBytes
        ? {
            Memory: policy.memoryBytes,
            MemorySwap: policy.memoryBytes,
            ShmSize: Math.min(MAX_SHM_BYTES, Math.floor(policy.memoryBytes / 2)),
          }
        : { ShmSize: DEFAULT_SHM_BYTES }),
      // The NVIDIA runtime maps these host indices to the container's GPUs 0..n-1.
      DeviceRequests: gpus.length ? [{ Driver: "nvidia", DeviceIDs: gpus, Capabilities: [["gpu"]] }] : [],
    },
  };
}
