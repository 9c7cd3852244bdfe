import { execFile } from "node:child_process";

/** One GPU as nvidia-smi reports it. */
export type Gpu = {
  index: number;
  /** Full name, e.g. "NVIDIA H100 80GB HBM3". */
  name: string;
  /** Short model for offers, e.g. "H100", "RTX 4090". */
  model: string;
  /** Memory in MiB, or null for unified-memory parts that report [N/A]. */
  memoryMib: number | null;
  /** Memory in GiB (rounded), from memoryMib, else from the name ("GH200 480GB"). */
  vramGb: number;
  driver: string;
  uuid: string;
};

/** The query Plasma runs; the parser expects exactly these columns. */
export const NVIDIA_SMI_ARGS = [
  "--query-gpu=index,name,memory.total,driver_version,uuid",
  "--format=csv,noheader,nounits",
];

/** What nvidia-smi printed and how it exited. */
export type CommandOutput = { code: number | null; stdout: string; stderr: string; notFound?: boolean };

/** nvidia-smi printed something that is not the expected CSV. */
export class NvidiaSmiParseError extends Error {
  override name = "NvidiaSmiParseError";
}

const FAMILY_PREFIXES = new Set(["RTX", "GTX", "TITAN", "Tesla", "Quadro"]);

/** "NVIDIA H100 80GB HBM3" → "H100"; "NVIDIA GeForce RTX 4090" → "RTX 4090"; "NVIDIA A100-SXM4-80GB" → "A100". */
export function gpuModel(name: string): string {
  const words = name
    .replace(/^NVIDIA\s+/i, "")
    .replace(/^GeForce\s+/i, "")
    .split(/\s+/);
  const first = (words[0] ?? "").split("-")[0] ?? "";
  if (FAMILY_PREFIXES.has(first) && words[1]) return `${first} ${words[1].split("-")[0]}`;
  return first;
}

/**
 * Parses `nvidia-smi --query-gpu=index,name,memory.total,driver_version,uuid --format=csv,noheader,nounits`.
 * @throws NvidiaSmiParseError on a line that does not have those five columns.
 */
export function parseNvidiaSmiCsv(text: string): Gpu[] {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
    .map((line) => {
      const cells = line.split(",").map((cell) => cell.trim());
      const [index, name, memory, driver, uuid] = cells;
      if (cells.length !== 5 || index === undefined || !/^\d+$/.test(index) || !name || !driver || !uuid) {
        throw new NvidiaSmiParseError(`unexpected nvidia-smi line: "${line}"`);
      }
      const memoryMib = memory && /^\d+$/.test(memory) ? Number(memory) : null;
      const fromName = /(\d+)\s*GB/i.exec(name);
      const vramGb = memoryMib !== null ? Math.round(memoryMib / 1024) : fromName ? Number(fromName[1]) : 0;
      return { index: Number(index), name, model: gpuModel(name), memoryMib, vramGb, driver, uuid };
    });
}

/** Why no GPU was found, in words. */
export type GpuDetection = { gpus: Gpu[]; reason?: string };

/** Runs nvidia-smi (the real binary by default). */
export function runNvidiaSmi(binary = "nvidia-smi"): Promise<CommandOutput> {
  return new Promise((resolve) => {
    execFile(binary, NVIDIA_SMI_ARGS, { timeout: 15_000 }, (error, stdout, stderr) => {
      const notFound = (error as NodeJS.ErrnoException | null)?.code === "ENOENT";
      const code = error ? (typeof error.code === "number" ? error.code : null) : 0;
      resolve({ code, stdout, stderr, notFound });
    });
  });
}

/**
 * Detects NVIDIA GPUs. A machine without nvidia-smi or without a loaded driver has none, and the
 * result says why; any other failure is an error.
 */
export async function detectGpus(run: () => Promise<CommandOutput> = () => runNvidiaSmi()): Promise<GpuDetection> {
  const out = await run();
  if (out.notFound) return { gpus: [], reason: "nvidia-smi is not installed" };
  if (out.code === 9 || /couldn't communicate with the NVIDIA driver/i.test(out.stdout + out.stderr)) {
    return { gpus: [], reason: "the NVIDIA driver is not loaded" };
  }
  if (out.code !== 0)
    throw new NvidiaSmiParseError(`nvidia-smi exited ${out.code}: ${(out.stderr || out.stdout).trim()}`);
  const gpus = parseNvidiaSmiCsv(out.stdout);
  return gpus.length > 0 ? { gpus } : { gpus, reason: "nvidia-smi lists no GPU" };
}
