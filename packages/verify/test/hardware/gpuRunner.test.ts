import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import {
  checkResponse,
  createChallenge,
  GpuRunnerError,
  type GpuRunnerErrorCode,
  openRows,
  parseRunnerOutput,
  runCpuChallenge,
  runGpuChallenge,
} from "@plasma/verify";
import { cudaPython, hex32, nvidiaSmiFindsGpu, plainPython, seededRandom, torchPython } from "./helpers.ts";

const small = (label: string, offer = { gpuModel: "cpu", gpuCount: 1, vramGb: 8 }, extra = {}) =>
  createChallenge(offer, seededRandom(label), { n: 256, rows: 700, rounds: 3, rowsPerLeaf: 64, ...extra });

const scratch = mkdtempSync(join(tmpdir(), "plasma-pog-test-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** An executable that stands in for python3 and runs a shell script instead. */
function fakePython(name: string, script: string): string {
  const path = join(scratch, name);
  writeFileSync(path, `#!/bin/sh\n${script}\n`);
  chmodSync(path, 0o755);
  return path;
}

async function rejectsWith(promise: Promise<unknown>, code: GpuRunnerErrorCode, message: RegExp) {
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(e instanceof GpuRunnerError, String(e));
    assert.equal(e.code, code, e.message);
    assert.match(e.message, message);
    return true;
  });
}

describe("GPU runner on a real GPU", () => {
  it("runs small challenges on CUDA; every path commits to what the CPU computes, and the validator accepts", async (t) => {
    const gpu = nvidiaSmiFindsGpu();
    if (!gpu.ok) return t.skip(gpu.why);
    const python = cudaPython();
    if (!python) return t.skip("nvidia-smi lists a GPU but no python3 here has torch with CUDA");
    // n = 4096: fp16 products in two exact 2048-term blocks; n = 8192: four, accumulated in fp32.
    // Few rows, so that the CPU comparison stays quick (int8 needs more than 16).
    for (const [n, rows] of [
      [4096, 48],
      [8192, 24],
    ] as const) {
      const ch = createChallenge({ gpuModel: "H100", gpuCount: 1, vramGb: 80 }, seededRandom(`cuda-${n}`), {
        n,
        rows,
        rounds: 2,
        rowsPerLeaf: 8,
        allowanceMs: 120_000,
      });
      const cpu = await runCpuChallenge(ch);
      for (const path of ["auto", "int8", "fp16", "fp32"] as const) {
        const started = performance.now();
        let run: Awaited<ReturnType<typeof runGpuChallenge>>;
        try {
          run = await runGpuChallenge(ch, { python, path });
        } catch (error) {
          if (path === "int8" && error instanceof GpuRunnerError) {
            t.diagnostic(`int8 path unavailable: ${error.message}`);
            continue;
          }
          throw error;
        }
        const elapsedMs = performance.now() - started;
        try {
          t.diagnostic(`n=${n} ${run.runner} on ${run.devices.join(", ")}: ${run.computeMs.toFixed(1)} ms compute`);
          assert.equal(run.root, cpu.root, `n=${n} ${path}: GPU and CPU commit to the same outputs`);
          const nonce = hex32(`cuda nonce ${n} ${path}`);
          const verdict = checkResponse(ch, run.root, nonce, openRows(ch, run, nonce), elapsedMs);
          assert.equal(verdict.passed, true, verdict.reason);
        } finally {
          run.dispose();
        }
      }
    }
  });
});

describe("GPU runner, torch on the CPU (the same code path as CUDA, other device)", () => {
  it("commits to exactly what the TypeScript runner computes, for each arithmetic path", async (t) => {
    const python = torchPython();
    if (!python) return t.skip("no Python with torch found (set PLASMA_TORCH_PYTHON)");
    // bf16 holds integers up to 256 exactly: n = 512 puts two exact blocks in every product (their sum
    // rounded once), n = 1024 four (accumulated in fp32). fp16 on CUDA does the same with 2048-term blocks.
    const cases = [
      [256, ["auto", "fp64"]],
      [512, ["bf16"]],
      [1024, ["bf16", "fp32"]],
    ] as const;
    for (const [n, paths] of cases) {
      const ch = small(`torch-cpu-${n}`, undefined, { n, rows: 300 });
      const cpu = await runCpuChallenge(ch);
      for (const path of paths) {
        const run = await runGpuChallenge(ch, { python, device: "cpu", path });
        try {
          assert.equal(run.root, cpu.root, `n=${n} ${path}`);
          assert.deepEqual(run.readLeaf(1), cpu.readLeaf(1));
          assert.deepEqual(run.readLeaf(4), cpu.readLeaf(4), "the last, shorter leaf");
          const nonce = hex32(`nonce ${n} ${path}`);
          assert.equal(checkResponse(ch, run.root, nonce, openRows(ch, run, nonce), 1).passed, true);
        } finally {
          run.dispose();
        }
      }
    }
  });

  it("rows split over several devices and computed in batches commit to the same outputs", async (t) => {
    const python = torchPython();
    if (!python) return t.skip("no Python with torch found (set PLASMA_TORCH_PYTHON)");
    // 700 rows over 3 pseudo-devices (233/233/234) in batches of 37: device and batch boundaries fall
    // inside leaves and inside the n-row blocks of S, and the last batches are short.
    const ch = small("split");
    const cpu = await runCpuChallenge(ch);
    const run = await runGpuChallenge(ch, { python, device: "cpu", split: 3, batchRows: 37 });
    try {
      assert.equal(run.root, cpu.root);
      assert.deepEqual(run.devices, ["cpu (torch)", "cpu (torch)", "cpu (torch)"]);
    } finally {
      run.dispose();
    }
  });
});

describe("GPU runner errors", () => {
  it("python3 not found", async () => {
    await rejectsWith(
      runGpuChallenge(small("nopython"), { python: "/nonexistent/python3" }),
      "python-not-found",
      /^\/nonexistent\/python3 not found: install Python 3 with PyTorch/,
    );
  });

  it("torch is not installed", async (t) => {
    const python = plainPython();
    if (!python) return t.skip("python3 not found");
    if (torchPython() === python) return t.skip(`${python} has torch`);
    await rejectsWith(runGpuChallenge(small("notorch"), { python }), "torch-missing", /^torch is not installed for /);
  });

  it("torch has no CUDA device", async (t) => {
    const python = torchPython();
    if (!python) return t.skip("no Python with torch found");
    if (cudaPython() === python) return t.skip(`${python} sees a CUDA device`);
    await rejectsWith(runGpuChallenge(small("nocuda"), { python }), "no-cuda", /^torch has no CUDA device/);
  });

  it("malformed output, a crash, a timeout, an abort", async () => {
    const ch = small("fake");
    await rejectsWith(
      runGpuChallenge(ch, { python: fakePython("garbage", "cat > /dev/null; echo 'hello'") }),
      "malformed-output",
      /^malformed output from the GPU runner: expected one JSON object, got "hello"/,
    );
    await rejectsWith(
      runGpuChallenge(ch, { python: fakePython("wrong-root", `cat > /dev/null; echo '{"root": "0x12"}'`) }),
      "malformed-output",
      /root is not 32 bytes of hex/,
    );
    const crash = fakePython("crash", "echo 'CUDA error: out of memory' >&2; exit 3");
    await assert.rejects(runGpuChallenge(ch, { python: crash }), (e: unknown) => {
      assert.ok(e instanceof GpuRunnerError && e.code === "failed");
      assert.match(e.message, /exited with code 3: CUDA error: out of memory/);
      assert.match(e.stderr, /out of memory/);
      return true;
    });
    const hang = fakePython("hang", "exec sleep 30");
    await rejectsWith(runGpuChallenge(ch, { python: hang, timeoutMs: 200 }), "timeout", /did not finish within 200 ms/);
    const controller = new AbortController();
    const pending = runGpuChallenge(ch, { python: hang, signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await rejectsWith(pending, "aborted", /aborted/);
  });

  it("the runner's error objects become GpuRunnerErrors with their code", () => {
    const result = (stdout: string, code = 2) => ({ code, signal: null, stdout, stderr: "trace" });
    const error = (stdout: string, code?: number) => {
      try {
        parseRunnerOutput(result(stdout, code), "python3");
      } catch (e) {
        return e as GpuRunnerError;
      }
      assert.fail("expected an error");
    };
    assert.equal(error(`{"error": {"code": "no-cuda", "message": "torch has no CUDA device"}}`).code, "no-cuda");
    assert.equal(error(`{"error": {"code": "weird", "message": "x"}}`).code, "failed");
    assert.equal(error("[1, 2]", 0).code, "malformed-output");
    assert.deepEqual(parseRunnerOutput(result('progress\n{"root": "0x"}\n', 0), "python3"), { root: "0x" });
  });

  it("a challenge edited in transit is refused before anything runs", async () => {
    const ch = small("edited");
    await assert.rejects(runGpuChallenge({ ...ch, rows: 10 }, { python: "/nonexistent" }), /id does not match/);
    assert.ok(existsSync(scratch));
  });
});
