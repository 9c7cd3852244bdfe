import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { detectGpus, gpuModel, NvidiaSmiParseError, parseNvidiaSmiCsv } from "../src/hardware/nvidiaSmi.ts";

const fixture = (name: string) =>
  readFileSync(fileURLToPath(new URL(`./fixtures/nvidia-smi/${name}`, import.meta.url)), "utf8");

describe("nvidia-smi detection on recorded real outputs", () => {
  const cases: [string, number, string, number, string][] = [
    ["h100-x1.csv", 1, "H100", 80, "580.159.04"],
    ["h100-x8.csv", 8, "H100", 80, "550.54.15"],
    ["h200-x1.csv", 1, "H200", 140, "580.159.03"],
    ["a100-x1.csv", 1, "A100", 80, "535.104.05"],
    ["l40s-x2.csv", 2, "L40S", 45, "535.183.06"],
    ["rtx4090-x1.csv", 1, "RTX 4090", 24, "550.120"],
    ["gh200-unified.csv", 1, "GH200", 480, "560.35.03"],
  ];
  for (const [file, count, model, vram, driver] of cases) {
    it(`parses ${file}`, () => {
      const gpus = parseNvidiaSmiCsv(fixture(file));
      assert.equal(gpus.length, count);
      assert.deepEqual(
        gpus.map((g) => g.index),
        Array.from({ length: count }, (_, i) => i),
      );
      for (const gpu of gpus) {
        assert.equal(gpu.model, model);
        assert.equal(gpu.vramGb, vram);
        assert.equal(gpu.driver, driver);
        assert.match(gpu.uuid, /^GPU-[0-9a-f-]{36}$/);
      }
    });
  }

  it("reads [N/A] memory as unknown and takes the size from the name", () => {
    const [gh200] = parseNvidiaSmiCsv(fixture("gh200-unified.csv"));
    assert.equal(gh200?.memoryMib, null);
  });

  it("reports a missing driver as no GPUs, with the reason", async () => {
    const result = await detectGpus(async () => ({ code: 9, stdout: fixture("no-driver.txt"), stderr: "" }));
    assert.deepEqual(result, { gpus: [], reason: "the NVIDIA driver is not loaded" });
  });

  it("reports a missing nvidia-smi as no GPUs, with the reason", async () => {
    const result = await detectGpus(async () => ({ code: null, stdout: "", stderr: "", notFound: true }));
    assert.equal(result.reason, "nvidia-smi is not installed");
  });

  it("refuses output it does not understand", () => {
    assert.throws(() => parseNvidiaSmiCsv("0, NVIDIA H100, 81559\n"), NvidiaSmiParseError);
    assert.throws(
      () => parseNvidiaSmiCsv("index, name, memory.total [MiB], driver_version, uuid\n"),
      NvidiaSmiParseError,
    );
  });

  it("shortens model names for offers", () => {
    assert.equal(gpuModel("NVIDIA A100-SXM4-40GB"), "A100");
    assert.equal(gpuModel("NVIDIA GeForce RTX 3090 Ti"), "RTX 3090");
    assert.equal(gpuModel("Tesla T4"), "Tesla T4");
    assert.equal(gpuModel("NVIDIA L4"), "L4");
  });
});
