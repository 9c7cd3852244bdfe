// The provider's GPU runner: spawns gpu_challenge.py (PyTorch) and turns its output into a CommittedRun.
import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type HardwareChallenge, validateChallenge } from "./challenge.ts";
import { GpuRunnerError, type GpuRunnerErrorCode } from "./errors.ts";
import { buildTree, hex32 } from "./merkle.ts";
import { type CommittedRun, leafCount, leafRows } from "./protocol.ts";

/** Absolute path of the Python runner shipped next to this module. */
export const GPU_CHALLENGE_SCRIPT = fileURLToPath(new URL("./gpu_challenge.py", import.meta.url));

export type GpuPath = "auto" | "int8" | "fp16" | "bf16" | "fp32" | "fp64";

export type GpuRunOptions = {
  /** The Python interpreter that has torch (default "python3"). */
  python?: string;
  /** "cuda" (default), or "cpu" to exercise the torch code path without a GPU. */
  device?: "cuda" | "cpu";
  /** Arithmetic (default "auto": int8 tensor cores if torch has _int_mm, then fp16, then fp32; each is
   * checked against float64 on the first rows before the timed run). */
  path?: GpuPath;
  /** Kill the runner after this long (default: twice the challenge's deadline, at least 60 s). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Where the output directory is created (default the OS temp dir); dispose() removes it. */
  workDir?: string;
  /** Test aids: with device "cpu", split the rows over this many pseudo-devices as over several GPUs… */
  split?: number;
  /** …and compute them in batches of this many rows (default 2^27 / n). */
  batchRows?: number;
};

/** What the runner prints on success (the fields this module relies on). */
export type GpuRunnerOutput = {
  root: string;
  leafCount: number;
  computeMs: number;
  totalMs: number;
  path: string;
  devices: string[];
  zFile: string;
  leafFile: string;
  torch?: string;
  cuda?: string | null;
};

type ProcessResult = { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string };

const tail = (text: string, max = 2000) => (text.length > max ? `…${text.slice(-max)}` : text).trim();

/** Runs `python args…` with `input` on stdin; GpuRunnerError for a missing interpreter, a timeout or an abort. */
export function runPython(
  python: string,
  args: readonly string[],
  input: string,
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) return reject(new GpuRunnerError("aborted", "the GPU challenge was aborted"));
    const child = spawn(python, args, { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      fn();
    };
    const kill = (code: GpuRunnerErrorCode, message: string) => {
      child.kill("SIGKILL");
      finish(() => reject(new GpuRunnerError(code, message, tail(stderr))));
    };
    const onAbort = () => kill("aborted", "the GPU challenge was aborted");
    const timer = options.timeoutMs
      ? setTimeout(
          () => kill("timeout", `the GPU runner did not finish within ${options.timeoutMs} ms`),
          options.timeoutMs,
        )
      : undefined;
    options.signal?.addEventListener("abort", onAbort, { once: true });
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
      if (stderr.length > 1_000_000) stderr = stderr.slice(-100_000);
    });
    child.on("error", (error: NodeJS.ErrnoException) => {
      const message =
        error.code === "ENOENT"
          ? `${python} not found: install Python 3 with PyTorch, or pass {python: "/path/to/python3"}`
          : `could not start ${python}: ${error.message}`;
      finish(() => reject(new GpuRunnerError(error.code === "ENOENT" ? "python-not-found" : "failed", message)));
    });
    child.stdin.on("error", () => {}); // a runner that exits before reading its input: judged by its exit
    child.stdin.end(input);
    child.on("close", (code, signal) => finish(() => resolve({ code, signal, stdout, stderr })));
  });
}

/** The last line of stdout as JSON; a GpuRunnerError for an error object, a failure or garbage. */
export function parseRunnerOutput(result: ProcessResult, python: string): Record<string, unknown> {
  const line = result.stdout.trim().split("\n").pop() ?? "";
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    parsed = undefined;
  }
  const stderr = tail(result.stderr);
  if (typeof parsed === "object" && parsed !== null && "error" in parsed) {
    const error = (parsed as { error: { code?: unknown; message?: unknown } }).error;
    const known: GpuRunnerErrorCode[] = ["torch-missing", "no-cuda", "bad-challenge", "failed"];
    const code = known.includes(error?.code as GpuRunnerErrorCode) ? (error.code as GpuRunnerErrorCode) : "failed";
    throw new GpuRunnerError(code, String(error?.message ?? "the GPU runner failed"), stderr);
  }
  if (result.code !== 0) {
    const how = result.signal ? `was killed by ${result.signal}` : `exited with code ${result.code}`;
    throw new GpuRunnerError("failed", `the GPU runner (${python}) ${how}${stderr ? `: ${stderr}` : ""}`, stderr);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new GpuRunnerError(
      "malformed-output",
      `malformed output from the GPU runner: expected one JSON object, got ${JSON.stringify(tail(result.stdout, 200))}`,
      stderr,
    );
  }
  return parsed as Record<string, unknown>;
}

function checkOutput(ch: HardwareChallenge, out: Record<string, unknown>): GpuRunnerOutput {
  const bad = (what: string) =>
    new GpuRunnerError("malformed-output", `malformed output from the GPU runner: ${what}`, JSON.stringify(out));
  if (!hex32(out.root)) throw bad("root is not 32 bytes of hex");
  if (out.leafCount !== leafCount(ch)) throw bad(`leafCount ${out.leafCount}, the challenge has ${leafCount(ch)}`);
  if (typeof out.computeMs !== "number" || !(out.computeMs >= 0)) throw bad("computeMs is not a duration");
  for (const file of ["zFile", "leafFile"] as const) {
    if (typeof out[file] !== "string" || !existsSync(out[file] as string)) throw bad(`${file} is not a file`);
  }
  if (statSync(out.zFile as string).size !== ch.rows * ch.width * 2) throw bad("z.bin has the wrong size");
  if (statSync(out.leafFile as string).size !== leafCount(ch) * 32) throw bad("leaves.bin has the wrong size");
  return {
    root: String(out.root).toLowerCase(),
    leafCount: out.leafCount as number,
    computeMs: out.computeMs as number,
    totalMs: typeof out.totalMs === "number" ? out.totalMs : Number.NaN,
    path: String(out.path ?? "?"),
    devices: Array.isArray(out.devices) ? out.devices.map(String) : [],
    zFile: out.zFile as string,
    leafFile: out.leafFile as string,
    torch: typeof out.torch === "string" ? out.torch : undefined,
    cuda: typeof out.cuda === "string" ? out.cuda : null,
  };
}

/**
 * Runs a challenge with gpu_challenge.py on the GPU(s) and commits to the outputs. The runner writes every
 * row's outputs and the leaf hashes to a temporary directory; this function rebuilds the tree from the
 * leaves, checks that it reaches the root the runner printed, and reads leaves back from the file when
 * rows are opened. Call dispose() when the challenge is over.
 *
 * Errors (GpuRunnerError.code): python-not-found ("python3 not found"), torch-missing, no-cuda ("torch has
 * no CUDA device"), bad-challenge, failed (non-zero exit, with stderr), malformed-output, timeout, aborted.
 */
export async function runGpuChallenge(
  challenge: HardwareChallenge,
  options: GpuRunOptions = {},
): Promise<CommittedRun> {
  const ch = validateChallenge(challenge);
  const python = options.python ?? "python3";
  const dir = mkdtempSync(join(options.workDir ?? tmpdir(), "plasma-pog-"));
  try {
    const args = [GPU_CHALLENGE_SCRIPT, "--device", options.device ?? "cuda", "--path", options.path ?? "auto"];
    if (options.split !== undefined) args.push("--split", String(options.split));
    if (options.batchRows !== undefined) args.push("--batch", String(options.batchRows));
    const result = await runPython(python, [...args, "--out", dir], JSON.stringify(ch), {
      timeoutMs: options.timeoutMs ?? Math.max(60_000, 2 * ch.deadlineMs),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const out = checkOutput(ch, parseRunnerOutput(result, python));
    const leafData = readFileSync(out.leafFile);
    const leaves = Array.from({ length: out.leafCount }, (_, i) => leafData.subarray(32 * i, 32 * i + 32));
    const tree = buildTree(leaves);
    if (tree.root !== out.root) {
      throw new GpuRunnerError(
        "malformed-output",
        `the runner's leaf hashes lead to ${tree.root}, not to its root ${out.root}`,
      );
    }
    return {
      challengeId: ch.id,
      root: tree.root,
      tree,
      computeMs: out.computeMs,
      runner: `gpu/${out.path}`,
      devices: out.devices,
      readLeaf(leaf: number) {
        const [first, end] = leafRows(ch, leaf);
        if (first >= end || leaf < 0) throw new RangeError(`no leaf ${leaf}`);
        const bytes = Buffer.alloc((end - first) * ch.width * 2);
        const fd = openSync(out.zFile, "r");
        try {
          for (let done = 0; done < bytes.length; ) {
            const read = readSync(fd, bytes, done, bytes.length - done, first * ch.width * 2 + done);
            if (read === 0) throw new RangeError(`z.bin ends inside leaf ${leaf}`);
            done += read;
          }
        } finally {
          closeSync(fd);
        }
        return Int16Array.from({ length: bytes.length / 2 }, (_, i) => bytes.readInt16LE(2 * i));
      },
      dispose() {
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
