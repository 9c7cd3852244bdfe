// Part of `npm run bench`: how long a job takes to get going, and what the sandbox costs.
//  - submit → running: from starting `plasma run` to the job's first instruction, on the devnet
//    with its local provider, p50/p95 over BENCH_JOB_SAMPLES runs.
//  - runtime overhead: the same fixed-work command run directly and through the sandbox runtime,
//    alternated, BENCH_OVERHEAD_RUNS times each; reported as the ratio of medians.
//  - sandbox start: `true` run directly and through the sandbox with its work area (disk image, cgroups,
//    seccomp, its own uid), alternated, BENCH_START_RUNS times each; medians and their difference.
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { createWorkArea, runSandboxed } from "@plasma/runtime";

const JOB_SAMPLES = Number(process.env.BENCH_JOB_SAMPLES ?? 10);
const OVERHEAD_RUNS = Number(process.env.BENCH_OVERHEAD_RUNS ?? 3);
const OVERHEAD_SECONDS = Number(process.env.BENCH_OVERHEAD_SECONDS ?? 10);
const START_RUNS = Number(process.env.BENCH_START_RUNS ?? 20);
const BIN = join(import.meta.dirname, "..", "apps", "cli", "bin", "plasma.mjs");

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? Number.NaN;
const median = (xs: number[]) => pct(xs, 50);

async function submitToRunning(): Promise<number[]> {
  const home = mkdtempSync(join(tmpdir(), "plasma-bench-"));
  const env = { ...process.env, PLASMA_HOME: home };
  const dev = spawn(process.execPath, [BIN, "dev", "--port", "0", "--provider-port", "0"], {
    env,
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: dev.stdout }).on("line", (line) => line.includes("Press Ctrl-C") && resolve());
    dev.once("exit", (code) => reject(new Error(`plasma dev exited ${code}`)));
  });
  const samples: number[] = [];
  try {
    for (let i = 0; i < JOB_SAMPLES; i++) {
      const started = Date.now();
      const stdout = await new Promise<string>((resolve, reject) =>
        execFile(
          process.execPath,
          [
            BIN,
            "run",
            "--out",
            join(home, `r${i}`),
            "--",
            "python3",
            "-c",
            "import time; print(int(time.time() * 1000))",
          ],
          { env },
          (error, out) => (error ? reject(error) : resolve(out)),
        ),
      );
      const firstInstruction = Number(stdout.trim().split("\n")[0]);
      samples.push(firstInstruction - started);
    }
  } finally {
    dev.kill("SIGINT");
  }
  return samples;
}

/** A CPU-bound loop of fixed length, so that both runs do the same work. */
const workload = [
  "python3",
  "-c",
  `import time\nend = time.monotonic() + ${OVERHEAD_SECONDS}\nn = 0\nwhile time.monotonic() < end: n += 1\nprint(n)`,
];

async function direct(): Promise<{ ms: number; iterations: number }> {
  const started = performance.now();
  const out = await new Promise<string>((resolve, reject) =>
    execFile(workload[0] as string, workload.slice(1), (e, o) => (e ? reject(e) : resolve(o))),
  );
  return { ms: performance.now() - started, iterations: Number(out.trim()) };
}

/** Runs `command` as the provider does: in a fresh 10 GiB work area, removed afterwards. */
async function sandboxed(command = workload): Promise<{ ms: number; iterations: number }> {
  let out = "";
  const started = performance.now();
  const jobDir = mkdtempSync(join(tmpdir(), "plasma-bench-job-"));
  const area = createWorkArea(jobDir, 10 * 1024 ** 3);
  try {
    await runSandboxed({
      workDir: area.path,
      workArea: area,
      command,
      env: {},
      network: "none",
      gpus: [],
      timeoutSeconds: OVERHEAD_SECONDS * 3,
      memoryBytes: 4 * 1024 ** 3,
      onStdout: (c) => (out += c.toString()),
    });
  } finally {
    area.remove();
    rmSync(jobDir, { recursive: true, force: true });
  }
  return { ms: performance.now() - started, iterations: Number(out.trim()) };
}

async function directTrue(): Promise<number> {
  const started = performance.now();
  await new Promise<void>((resolve, reject) => execFile("true", (e) => (e ? reject(e) : resolve())));
  return performance.now() - started;
}

const startDirect: number[] = [];
const startSandbox: number[] = [];
for (let i = 0; i < START_RUNS; i++) {
  startDirect.push(await directTrue());
  startSandbox.push((await sandboxed(["true"])).ms);
}
console.log(`\nSandbox start: \`true\` ${START_RUNS} times each, alternated (medians, ms)`);
console.log(
  `  direct ${median(startDirect).toFixed(1)}, sandbox with work area ${median(startSandbox).toFixed(1)}, ` +
    `difference ${(median(startSandbox) - median(startDirect)).toFixed(1)} (p95 sandbox ${pct(startSandbox, 95).toFixed(1)})`,
);

const submit = await submitToRunning();
console.log(
  `\nSubmit → running over ${JOB_SAMPLES} jobs (ms): p50 ${median(submit).toFixed(0)}, p95 ${pct(submit, 95).toFixed(0)}`,
);

const directRuns: { ms: number; iterations: number }[] = [];
const sandboxRuns: { ms: number; iterations: number }[] = [];
for (let i = 0; i < OVERHEAD_RUNS; i++) {
  directRuns.push(await direct());
  sandboxRuns.push(await sandboxed());
}
const d = median(directRuns.map((r) => r.ms));
const s = median(sandboxRuns.map((r) => r.ms));
const di = median(directRuns.map((r) => r.iterations));
const si = median(sandboxRuns.map((r) => r.iterations));
console.log(`\nRuntime overhead: a ${OVERHEAD_SECONDS}s CPU-bound command, ${OVERHEAD_RUNS} runs each, alternated`);
console.log(
  `  wall time   direct ${d.toFixed(0)} ms, sandbox ${s.toFixed(0)} ms, ratio ${(s / d).toFixed(4)} (goal < 1.02)`,
);
console.log(
  `  work done   direct ${di} loops, sandbox ${si} loops, ratio ${(si / di).toFixed(4)} (1.0 = no slowdown inside)`,
);
