import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { containerOptions, dockerEngine, type RunResult, runInDocker } from "@plasma/runtime";
import { HOSTILE_JOBS, jobRunner } from "./hostileJobs.ts";
import { pythonTestImage, testEngine } from "./testImage.ts";

const REPO_ROOT = join(import.meta.dirname, "../../..");
// What the repository root holds before the engine runs anything (git-ignored entries aside).
const notIgnored = (names: string[]) => {
  const ignored = spawnSync("git", ["check-ignore", "--stdin"], { cwd: REPO_ROOT, input: names.join("\n") });
  const out = new Set(ignored.stdout?.toString().split("\n") ?? []);
  return names.filter((name) => !out.has(name));
};
const rootBefore = new Set(notIgnored(readdirSync(REPO_ROOT)));

describe("docker container options", () => {
  const policy = {
    image: "python:3.12-slim",
    workDir: "/srv/plasma/jobs/7/work",
    command: ["python3", "train.py"],
    env: { EPOCHS: "3" },
    network: "none" as const,
    gpus: [1, 3],
    user: "1000:1000",
    memoryBytes: 4 * 1024 ** 3,
  };

  it("mounts only the work directory, read-only root, no capabilities, no network", () => {
    const o = containerOptions(policy);
    assert.deepEqual(o.HostConfig?.Binds, ["/srv/plasma/jobs/7/work:/work:rw"]);
    assert.equal(o.HostConfig?.ReadonlyRootfs, true);
    assert.deepEqual(o.HostConfig?.CapDrop, ["ALL"]);
    assert.deepEqual(o.HostConfig?.SecurityOpt, ["no-new-privileges"]);
    assert.equal(o.HostConfig?.NetworkMode, "none");
    assert.equal(o.NetworkDisabled, true);
    assert.equal(o.WorkingDir, "/work");
    assert.equal(o.User, "1000:1000");
    assert.deepEqual(o.Cmd, ["python3", "train.py"]);
    assert.deepEqual(o.Entrypoint, [""], "the image's entrypoint cannot change the spec's command");
    assert.ok(o.Env?.includes("EPOCHS=3"));
  });

  it("asks the NVIDIA runtime for exactly the leased GPUs, and caps memory without swap", () => {
    const o = containerOptions(policy);
    assert.deepEqual(o.HostConfig?.DeviceRequests, [
      { Driver: "nvidia", DeviceIDs: ["1", "3"], Capabilities: [["gpu"]] },
    ]);
    assert.equal(o.HostConfig?.Memory, 4 * 1024 ** 3);
    assert.equal(o.HostConfig?.MemorySwap, 4 * 1024 ** 3);
    assert.equal(o.HostConfig?.ShmSize, 2 * 1024 ** 3);
    const cpu = containerOptions({ ...policy, gpus: [], network: "egress", memoryBytes: undefined });
    assert.deepEqual(cpu.HostConfig?.DeviceRequests, []);
    assert.equal(cpu.HostConfig?.NetworkMode, "none", "no bridge: it would reach the host and its network");
    assert.equal(cpu.NetworkDisabled, true);
    assert.equal(cpu.HostConfig?.Memory, undefined);
  });
});

describe("docker egress", () => {
  it("is refused: an engine's bridge would reach the host's services and its network", async () => {
    await assert.rejects(
      runInDocker({
        image: "python:3.12-slim",
        workDir: mkdtempSync(join(tmpdir(), "plasma-job-")),
        command: ["true"],
        env: {},
        network: "egress",
        gpus: [],
        timeoutSeconds: 10,
      }),
      /egress is not confined in the Docker runtime/,
    );
  });
});

// A real engine runs the rest; without one they are skipped, saying why.
const { skip, IMAGE, importTestImage } = await testEngine();

describe("docker runtime against a real engine", { skip }, () => {
  before(importTestImage);

  async function run(command: string[], extra: Partial<Parameters<typeof runInDocker>[0]> = {}) {
    const workDir = mkdtempSync(join(tmpdir(), "plasma-job-"));
    let stdout = "";
    let stderr = "";
    const result: RunResult = await runInDocker({
      image: IMAGE,
      workDir,
      command,
      env: {},
      network: "none",
      gpus: [],
      timeoutSeconds: 30,
      onStdout: (c) => (stdout += c.toString()),
      onStderr: (c) => (stderr += c.toString()),
      ...extra,
    });
    return { result, stdout, stderr, workDir };
  }

  it("runs the command in /work, streams stdout and stderr apart, and reports its exit code", async () => {
    const { result, stdout, stderr, workDir } = await run([
      "sh",
      "-c",
      "echo out; echo err >&2; mkdir -p out; echo weights > out/model.bin; exit 4",
    ]);
    assert.equal(result.exitCode, 4);
    assert.equal(stdout, "out\n");
    assert.equal(stderr, "err\n");
    assert.equal(readFileSync(join(workDir, "out/model.bin"), "utf8"), "weights\n");
    assert.equal(
      statSync(join(workDir, "out/model.bin")).uid,
      statSync(workDir).uid,
      "outputs belong to the job's uid",
    );
  });

  it("gives the job no network and a read-only root", async () => {
    const { stdout } = await run([
      "sh",
      "-c",
      "cat /proc/net/dev | tail -n +3 | cut -d: -f1; touch /bin/x || echo read-only",
    ]);
    assert.deepEqual(stdout.trim().split(/\s+/), ["lo", "read-only"]);
  });

  it("kills a job at its timeout", async () => {
    const { result } = await run(["sleep", "30"], { timeoutSeconds: 1 });
    assert.equal(result.timedOut, true);
    assert.ok(result.durationMs < 10_000);
  });

  it("kills a job over its memory limit and says so", async () => {
    const { result } = await run(["sh", "-c", "x=$(yes | head -c 300000000); echo survived"], {
      memoryBytes: 64 * 1024 ** 2,
    });
    assert.equal(result.memoryExceeded, true, JSON.stringify(result));
  });

  it("stops a job when asked and removes its container", async () => {
    const controller = new AbortController();
    const started = run(["sleep", "30"], { signal: controller.signal, labels: { "dev.plasma.test": "stop" } });
    setTimeout(() => controller.abort(), 500);
    const { result } = await started;
    assert.equal(result.aborted, true);
    const left = await dockerEngine().listContainers({ all: true, filters: { label: ["dev.plasma.test=stop"] } });
    assert.deepEqual(left, []);
  });
});

describe("hostile jobs in the Docker runtime", { skip }, () => {
  before(importTestImage);

  const run = jobRunner((options) => runInDocker({ ...options, image: IMAGE }));

  for (const job of HOSTILE_JOBS.filter((j) => j.runtimes.includes("docker"))) it(job.guarantee, () => job.check(run));
});

const python = pythonTestImage();

describe("examples/train-tiny in a Debian image with Python and NumPy", {
  skip: skip || pythonTestImage().skip,
}, () => {
  let image = "";
  before(async () => {
    image = await python.prepare();
  });

  it("has python3 and numpy, as a non-root uid", async () => {
    let stdout = "";
    const result = await runInDocker({
      image,
      workDir: mkdtempSync(join(tmpdir(), "plasma-job-")),
      command: [
        "python3",
        "-c",
        "import numpy, os; print(numpy.__name__, int(numpy.arange(5).sum()), os.getuid() != 0)",
      ],
      env: {},
      network: "none",
      gpus: [],
      timeoutSeconds: 60,
      onStdout: (c) => (stdout += c.toString()),
    });
    assert.equal(result.exitCode, 0, stdout);
    assert.equal(stdout, "numpy 10 True\n");
  });

  it("trains the tiny model and writes its weights and metrics", async () => {
    const example = join(REPO_ROOT, "examples/train-tiny");
    const spec = readFileSync(join(example, "job.yaml"), "utf8");
    // The command and environment of its job.yaml (checked here so the two cannot drift apart).
    const command = ["python3", "train.py"];
    const env = { SEED: "42", EPOCHS: "200" };
    assert.match(spec, /command: \["python3", "train\.py"\]/);
    assert.match(spec, /env: \{ SEED: "42", EPOCHS: "200" \}/);
    const workDir = mkdtempSync(join(tmpdir(), "plasma-job-"));
    copyFileSync(join(example, "train.py"), join(workDir, "train.py"));
    let stdout = "";
    let stderr = "";
    const result = await runInDocker({
      image,
      workDir,
      command,
      env,
      network: "none",
      gpus: [],
      timeoutSeconds: 120,
      memoryBytes: 1024 ** 3,
      onStdout: (c) => (stdout += c.toString()),
      onStderr: (c) => (stderr += c.toString()),
    });
    assert.equal(result.exitCode, 0, stderr);
    assert.match(stdout, /^epoch +0 +loss \d/m);
    assert.match(stdout, /^done: w=3\.\d+ b=0\.\d+ final loss /m);
    const weights = JSON.parse(readFileSync(join(workDir, "out/weights.json"), "utf8")) as { w: number; b: number };
    const metrics = JSON.parse(readFileSync(join(workDir, "out/metrics.json"), "utf8")) as Record<string, number>;
    // The data are y = 3x + 0.5 plus noise: gradient descent must find about that line.
    assert.ok(Math.abs(weights.w - 3) < 0.05 && Math.abs(weights.b - 0.5) < 0.05, JSON.stringify(weights));
    assert.equal(metrics.epochs, 200);
    assert.ok(
      (metrics.final_loss ?? 1) < 0.02 && (metrics.final_loss ?? 1) < (metrics.first_loss ?? 0),
      JSON.stringify(metrics),
    );
  });
});

describe("the engine's own files", { skip }, () => {
  // conmon writes an empty `oom` file into its working directory when a job is killed for memory (the
  // memory test above); it once landed in, and was committed to, the repository root.
  it("leave no new file in the repository root", () => {
    const added = notIgnored(readdirSync(REPO_ROOT)).filter((name) => !rootBefore.has(name));
    assert.deepEqual(
      added,
      [],
      `new in ${REPO_ROOT}: ${added.join(", ")}; keep the engine's files in its own directory`,
    );
  });
});
