import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ChallengeError,
  challengeId,
  challengeWorkFlops,
  createChallenge,
  findHardwareClass,
  HARDWARE_CLASSES,
  LIMITS,
  resolveHardwareClass,
  SUSTAINED_FRACTION,
  UnknownGpuClassError,
  validateChallenge,
} from "@plasma/verify";
import { seededRandom } from "./helpers.ts";

const h100 = { gpuModel: "H100", gpuCount: 8, vramGb: 80 };

describe("class table", () => {
  it("has the classes a provider reports, each with a sourced peak and rate = 0.6 × peak", () => {
    for (const id of ["H100", "H200", "A100", "L40S", "RTX 4090", "A10", "T4", "cpu"]) {
      assert.ok(findHardwareClass(id), id);
    }
    for (const cls of HARDWARE_CLASSES) {
      assert.ok(cls.source.length > 10, `${cls.id} cites where its numbers come from`);
      assert.ok(cls.sustainedTflops > 0 && cls.sustainedTflops <= cls.peakFp16Tflops, cls.id);
      if (cls.kind === "gpu") {
        assert.ok(Math.abs(cls.sustainedTflops - SUSTAINED_FRACTION * cls.peakFp16Tflops) < 0.1, cls.id);
        if (cls.peakInt8Tops !== null) assert.ok(cls.peakInt8Tops >= cls.peakFp16Tflops, cls.id);
      }
    }
    const rate = (id: string) => resolveHardwareClass(id).sustainedTflops;
    assert.ok(rate("H100") > rate("A100") && rate("A100") > rate("T4") && rate("T4") > rate("cpu"));
  });

  it("resolves model strings as nvidia-smi and the provider app print them, and nothing looser", () => {
    const cases: [string, string][] = [
      ["NVIDIA H100 80GB HBM3", "H100"],
      ["H100 PCIe", "H100"],
      ["NVIDIA H100 NVL", "H100"],
      ["NVIDIA A100-SXM4-80GB", "A100"],
      ["a100", "A100"],
      ["NVIDIA GeForce RTX 4090", "RTX 4090"],
      ["rtx4090", "RTX 4090"],
      ["NVIDIA L40S", "L40S"],
      ["NVIDIA L40", "L40"],
      ["NVIDIA L4", "L4"],
      ["Tesla T4", "T4"],
      ["NVIDIA RTX A6000", "RTX A6000"],
      ["AMD Instinct MI300X", "MI300X"],
      ["cpu", "cpu"],
    ];
    for (const [model, id] of cases) assert.equal(findHardwareClass(model)?.id, id, model);
    for (const model of ["A10G", "H1000", "X9000", "", "RTX"]) assert.equal(findHardwareClass(model), undefined, model);
  });
});

describe("createChallenge", () => {
  it("sizes the work so that the claimed hardware needs about targetSeconds, and sets the deadline", () => {
    const ch = createChallenge(h100, seededRandom("size"));
    const cls = resolveHardwareClass("H100");
    const rate = cls.sustainedTflops * 1e12 * 8;
    assert.equal(ch.gpuClass, "H100");
    assert.equal(ch.n, 4096);
    assert.equal(ch.openRows, 20);
    assert.equal(ch.dtype, "fp16");
    assert.ok(ch.rows <= LIMITS.maxRows);
    const seconds = challengeWorkFlops(ch) / rate;
    assert.ok(Math.abs(seconds - 20) < 0.01, `${seconds} s`);
    assert.equal(ch.expectedMs, Math.ceil(seconds * 1000));
    assert.equal(ch.deadlineMs, Math.ceil(10_000 + 8 * 1_000 + 1.5 * ch.expectedMs));
    // What the validator will recompute stays bounded however big the offer.
    assert.ok(ch.openRows * ch.rounds * ch.n * ch.n <= LIMITS.maxCheckAdds);
    const one = createChallenge({ ...h100, gpuCount: 1 }, seededRandom("one"));
    assert.equal(one.rounds, 8);
    assert.ok(ch.rows > one.rows, "eight GPUs get more rows");

    const cpu = createChallenge({ gpuModel: "cpu", gpuCount: 1, vramGb: 16 }, seededRandom("cpu"));
    assert.equal(cpu.n, 256);
    assert.equal(cpu.dtype, "fp32");
    assert.ok(Math.abs(challengeWorkFlops(cpu) / 1e9 - 10) < 0.01, "10 s at 1 GFLOPS");
  });

  it("uses a fresh random seed each time, and the injected source when given", () => {
    const a = createChallenge(h100);
    const b = createChallenge(h100);
    assert.notEqual(a.seed, b.seed);
    assert.notEqual(a.id, b.id);
    assert.deepEqual(createChallenge(h100, seededRandom("same")), createChallenge(h100, seededRandom("same")));
  });

  it("binds every field into the id: a challenge edited in transit is refused", () => {
    const ch = createChallenge(h100, seededRandom("id"));
    assert.equal(validateChallenge(JSON.parse(JSON.stringify(ch))).id, ch.id);
    for (const edit of [{ deadlineMs: ch.deadlineMs * 10 }, { rows: 10 }, { seed: `0x${"11".repeat(32)}` }]) {
      assert.throws(() => validateChallenge({ ...ch, ...edit }), /id does not match/);
    }
    const { id: _, ...fields } = ch;
    assert.equal(challengeId(fields), ch.id);
  });

  it("refuses bad numbers with a clear error", () => {
    const bad: [object, RegExp][] = [
      [{ n: 0 }, /n must be an integer multiple of 8 in \[8, 16384\], got 0/],
      [{ n: 1_000_000 }, /n must be .* got 1000000/],
      [{ n: 100 }, /multiple of 8/],
      [{ n: Number.NaN }, /n must be/],
      [{ rows: 0 }, /rows must be/],
      [{ rows: 2 ** 40 }, /rows must be/],
      [{ rounds: 0 }, /rounds must be/],
      [{ openRows: 0 }, /openRows must be/],
      [{ targetSeconds: -1 }, /targetSeconds must be a positive number/],
      [{ n: 16384, rounds: 1024, rows: 100 }, /checking 20 rows of 1024 rounds at n=16384 costs/],
      [{ targetSeconds: 3600 }, /targetSeconds must be at most 600, got 3600/],
      [{ rows: 2 ** 27, rounds: 1000 }, /expected to take/],
    ];
    for (const [options, message] of bad) {
      assert.throws(
        () => createChallenge(h100, seededRandom("bad"), options),
        (e: unknown) => {
          assert.ok(e instanceof ChallengeError, String(e));
          assert.match((e as Error).message, message);
          return true;
        },
      );
    }
    assert.throws(() => createChallenge({ ...h100, gpuCount: 0 }), /gpuCount must be an integer in \[1, 64\]/);
    assert.throws(() => createChallenge({ ...h100, gpuCount: 2.5 }), /gpuCount/);
    assert.throws(() => createChallenge({ ...h100, vramGb: 0 }), /vramGb must be a positive number/);
    assert.throws(() => createChallenge({ gpuModel: "A100", gpuCount: 1, vramGb: 200 }), /an A100 has at most 80 GB/);
    assert.throws(() => createChallenge(h100, () => new Uint8Array(4)), /seed must be 32 bytes/);
  });

  it("refuses an unknown GPU model rather than guessing a class", () => {
    assert.throws(
      () => createChallenge({ gpuModel: "X9000", gpuCount: 1, vramGb: 24 }),
      (e: unknown) => {
        assert.ok(e instanceof UnknownGpuClassError);
        assert.equal(e.model, "X9000");
        assert.match(e.message, /unknown GPU model "X9000".*known: B200, H200, H100.*challenge the offer as "cpu"/);
        return true;
      },
    );
  });

  it("validateChallenge refuses what a provider should not run", () => {
    assert.throws(() => validateChallenge(null), /must be an object/);
    assert.throws(() => validateChallenge({ version: 2 }), /unsupported challenge version/);
    const ch = createChallenge(h100, seededRandom("v"));
    assert.throws(() => validateChallenge({ ...ch, gpuClass: "H9000" }), /unknown class/);
    assert.throws(() => validateChallenge({ ...ch, rows: 2 ** 30 }), /rows must be/);
    assert.throws(() => validateChallenge({ ...ch, dtype: "fp8" }), /unknown dtype/);
  });
});
