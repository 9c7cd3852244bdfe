import { existsSync, lstatSync, readdirSync, readlinkSync } from "node:fs";

/** What the sandbox lets a job see and do. */
export type SandboxPolicy = {
  /** Host directory mounted read-write at /work; the job's only writable place besides /tmp. */
  workDir: string;
  command: string[];
  env: Record<string, string>;
  /** `egress` keeps the host network; `none` gives the job a network namespace with no interfaces. */
  network: "none" | "egress";
  /** GPU indices the lease owns (nvidia-smi order); only their device nodes are visible. */
  gpus: number[];
  /**
   * Tools the provider lends every job, read-only (e.g. Node.js and the ONNX model server under /opt/plasma).
   * A target's `bin` directory, if it is one, joins PATH.
   */
  tools?: { source: string; target: string }[] | undefined;
};

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
  "/etc/resolv.conf",
  "/etc/hosts",
];
const TOP_LEVEL_LINKS = ["/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"];
const NVIDIA_SHARED_DEVICES = ["/dev/nvidiactl", "/dev/nvidia-uvm", "/dev/nvidia-uvm-tools", "/dev/nvidia-modeset"];
const SANDBOX_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
/** Where the provider's tools appear in the sandbox. */
export const SANDBOX_TOOLS_DIR = "/opt/plasma";

/**
 * The bubblewrap command line for a job: new namespaces for everything (network too, unless the
 * spec asks for egress), the OS read-only, the work directory at /work, a private /tmp, a clean
 * environment, and only the leased GPUs' device nodes.
 */
export function bwrapArgs(policy: SandboxPolicy): string[] {
  const args = ["--unshare-all", "--die-with-parent", "--new-session", "--hostname", "plasma-job"];
  if (policy.network === "egress") args.push("--share-net");
  for (const path of READ_ONLY) if (existsSync(path)) args.push("--ro-bind", path, path);
  // Merged-/usr systems link /bin → usr/bin; others have real directories.
  for (const path of TOP_LEVEL_LINKS) {
    if (!existsSync(path)) continue;
    if (lstatSync(path).isSymbolicLink()) args.push("--symlink", readlinkSync(path), path);
    else args.push("--ro-bind", path, path);
  }
  args.push("--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp");
  for (const tool of policy.tools ?? []) args.push("--ro-bind", tool.source, tool.target);
  args.push("--bind", policy.workDir, "/work", "--chdir", "/work");
  for (const device of gpuDevices(policy.gpus)) args.push("--dev-bind", device, device);
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
