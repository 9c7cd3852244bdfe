import { existsSync, lstatSync, readdirSync, readlinkSync } from "node:fs";

/** What the sandbox lets a job see and do. */
export type SandboxPolicy = {
  /** Host directory mounted read-write at /work; the job's only writable place besides /tmp. */
  workDir: string;
  command: string[];
  env: Record<string, string>;
  /**
   * `none` gives the job a network namespace with no interfaces; `egress` keeps the namespace bubblewrap is
   * started in, which the runtime makes the job's own (see egressNetwork.ts), never the host's.
   */
  network: "none" | "egress";
  /** GPU indices the lease owns (nvidia-smi order); only their device nodes are visible. */
  gpus: number[];
  /**
   * Tools the provider lends every job, read-only (e.g. Node.js and the ONNX model server under /opt/plasma).
   * A target's `bin` directory, if it is one, joins PATH.
   */
  tools?: { source: string; target: string }[] | undefined;
  /** Size of the job's private /tmp (memory, counted against its memory limit). */
  tmpBytes?: number | undefined;
  /** Host file shown as the job's /etc/resolv.conf (egress jobs get public resolvers). */
  resolvConf?: string | undefined;
  /** File descriptor bubblewrap reads the seccomp filter from, when there is one. */
  seccompFd?: number | undefined;
};

/** The uid and gid a job has inside its user namespace. */
export const SANDBOX_UID = 1000;
/** Size of /tmp when the policy names none. */
const DEFAULT_TMP_BYTES = 1024 ** 3;

/** Host paths bound read-only: the OS and its libraries, nothing of the node's own data. */
const READ_ONLY = [
  "/usr",
  "/etc/alternatives",
  "/etc/ssl",
  "/etc/ca-certificates",
  "/etc/ld.so.cache",
  "/etc/ld.so.conf",
  "/etc/ld.so.conf.d",
  "/etc/localtime",
  "/etc/nsswitch.conf",
  "/etc/hosts",
];
const TOP_LEVEL_LINKS = ["/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"];
const NVIDIA_SHARED_DEVICES = ["/dev/nvidiactl", "/dev/nvidia-uvm", "/dev/nvidia-uvm-tools", "/dev/nvidia-modeset"];
const SANDBOX_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
/** Where the provider's tools appear in the sandbox. */
export const SANDBOX_TOOLS_DIR = "/opt/plasma";

/**
 * The bubblewrap command line for a job: new namespaces for everything, a user namespace in which the job is
 * an ordinary uid with no capabilities and cannot make another, the seccomp filter, the OS and / read-only,
 * the work directory at /work and a size-limited private /tmp and /dev/shm as the only writable places, a
 * clean environment, and only the leased GPUs' device nodes.
 */
export function bwrapArgs(policy: SandboxPolicy): string[] {
  const args = [
    "--unshare-all",
    "--unshare-user",
    "--disable-userns",
    "--uid",
    String(SANDBOX_UID),
    "--gid",
    String(SANDBOX_UID),
    "--cap-drop",
    "ALL",
    "--die-with-parent",
    "--new-session",
    "--hostname",
    "plasma-job",
  ];
  if (policy.network === "egress") args.push("--share-net");
  if (policy.seccompFd !== undefined) args.push("--seccomp", String(policy.seccompFd));
  for (const path of READ_ONLY) if (existsSync(path)) args.push("--ro-bind", path, path);
  if (policy.resolvConf) args.push("--ro-bind", policy.resolvConf, "/etc/resolv.conf");
  // Merged-/usr systems link /bin → usr/bin; others have real directories.
  for (const path of TOP_LEVEL_LINKS) {
    if (!existsSync(path)) continue;
    if (lstatSync(path).isSymbolicLink()) args.push("--symlink", readlinkSync(path), path);
    else args.push("--ro-bind", path, path);
  }
  const tmpSize = String(policy.tmpBytes ?? DEFAULT_TMP_BYTES);
  args.push("--proc", "/proc", "--dev", "/dev");
  args.push("--size", tmpSize, "--tmpfs", "/dev/shm", "--size", tmpSize, "--tmpfs", "/tmp");
  for (const tool of policy.tools ?? []) args.push("--ro-bind", tool.source, tool.target);
  args.push("--bind", policy.workDir, "/work", "--chdir", "/work");
  for (const device of gpuDevices(policy.gpus)) args.push("--dev-bind", device, device);
  // The root and /dev were writable tmpfs until now; their submounts (/work, /tmp, /dev/shm) stay writable.
  args.push("--remount-ro", "/dev", "--remount-ro", "/");
  args.push("--clearenv");
  const env: Record<string, string> = {
    PATH: policy.tools?.length ? `${SANDBOX_TOOLS_DIR}/bin:${SANDBOX_PATH}` : SANDBOX_PATH,
    HOME: "/work",
    TMPDIR: "/tmp",
    LANG: "C.UTF-8",
    PYTHONUNBUFFERED: "1",
    ...policy.env,
    // The job never chooses its GPUs: the lease does. Host indices follow nvidia-smi's PCI order.
    CUDA_DEVICE_ORDER: "PCI_BUS_ID",
    CUDA_VISIBLE_DEVICES: policy.gpus.join(","),
  };
  for (const [name, value] of Object.entries(env)) args.push("--setenv", name, value);
  args.push("--", ...policy.command);
  return args;
}

/** Device nodes of the given GPUs plus the driver's shared nodes, where they exist. */
function gpuDevices(gpus: number[]): string[] {
  if (gpus.length === 0) return [];
  const devices = gpus.map((index) => `/dev/nvidia${index}`);
  const caps = existsSync("/dev/nvidia-caps")
    ? readdirSync("/dev/nvidia-caps").map((n) => `/dev/nvidia-caps/${n}`)
    : [];
  return [...devices, ...NVIDIA_SHARED_DEVICES, ...caps].filter((d) => existsSync(d));
}
