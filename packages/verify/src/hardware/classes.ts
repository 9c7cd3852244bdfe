// Throughput classes a provider can claim, and the rate a challenge assumes for each.
//
// Peak numbers are the vendors' datasheet figures for DENSE matrix math (the datasheets print the
// 2:4-sparsity figure first; dense is half of it). fp16 is the FP16/BF16 tensor-core rate with FP32
// accumulation, which is what PyTorch asks cuBLAS for by default. Where a model name covers several
// boards (H100 SXM 989 / NVL 835 / PCIe 756 TFLOPS), the table takes the SLOWEST, so an honest
// provider is never held to a faster variant than it may have.
//
// sustainedTflops is what a challenge assumes the claimed hardware delivers on this workload:
// SUSTAINED_FRACTION of the conservative fp16 peak. Large cuBLAS GEMMs reach 60–80% of peak; the
// challenge adds a sign() pass per round and host-side hashing, hence 0.6. This is an assumption to
// be calibrated on real boards (README.md beside this file); the deadline adds slack on top.
//
// int8 is listed because the challenge's entries are −1/0/1 and int8 tensor cores compute them exactly
// at twice the fp16 rate: a provider using them finishes faster, which the deadline allows.

/** Fraction of the conservative dense fp16 peak a challenge assumes (see the header comment). */
export const SUSTAINED_FRACTION = 0.6;

export type HardwareClass = {
  /** Canonical name, as `gpuModel()` of apps/provider prints it: "H100", "RTX 4090", "cpu". */
  id: string;
  kind: "gpu" | "cpu";
  /** Dense FP16 tensor TFLOPS (FP32 accumulate) of the slowest board with this name; fp32 for cpu. */
  peakFp16Tflops: number;
  /** Dense INT8 tensor TOPS, or null where there are no int8 tensor cores. */
  peakInt8Tops: number | null;
  /** What a challenge assumes the hardware sustains on it, per GPU (TFLOPS, fp16-equivalent). */
  sustainedTflops: number;
  /** Largest memory a board with this name has (GB), to reject impossible offers. */
  maxVramGb: number;
  /** Other spellings that resolve to this class (compared after normalisation). */
  aliases: readonly string[];
  /** Where the peak numbers come from. */
  source: string;
};

const gpu = (
  id: string,
  peakFp16Tflops: number,
  peakInt8Tops: number | null,
  maxVramGb: number,
  source: string,
  aliases: readonly string[] = [],
): HardwareClass => ({
  id,
  kind: "gpu",
  peakFp16Tflops,
  peakInt8Tops,
  sustainedTflops: Math.round(peakFp16Tflops * SUSTAINED_FRACTION * 10) / 10,
  maxVramGb,
  aliases,
  source,
});

/** The class table. */
export const HARDWARE_CLASSES: readonly HardwareClass[] = [
  gpu("B200", 2250, 4500, 192, "NVIDIA HGX B200 datasheet: FP16/BF16 4.5 PFLOPS sparse per GPU → 2.25 dense"),
  gpu(
    "H200",
    835,
    1671,
    141,
    "NVIDIA H200 datasheet: SXM 1979 / NVL 1671 TFLOPS FP16 sparse → NVL 835 dense; INT8 NVL 3341 sparse",
  ),
  gpu(
    "H100",
    756,
    1513,
    96,
    "NVIDIA H100 datasheet: SXM 989 / NVL 835 / PCIe 756 TFLOPS FP16 dense; INT8 PCIe 1513 TOPS dense",
  ),
  gpu("MI300X", 1307, 2615, 192, "AMD Instinct MI300X datasheet: FP16 1307.4 TFLOPS dense, INT8 2614.9 TOPS dense"),
  gpu("A100", 312, 624, 80, "NVIDIA A100 datasheet: FP16 tensor 312 TFLOPS dense (624 sparse), INT8 624 TOPS dense"),
  gpu("L40S", 362, 733, 48, "NVIDIA L40S datasheet: FP16 tensor 362.05 TFLOPS dense (733 sparse), INT8 733 dense"),
  gpu("L40", 181, 362, 48, "NVIDIA L40 datasheet: FP16 tensor 181.05 TFLOPS dense (362.1 sparse), INT8 362 dense"),
  gpu("A40", 149.7, 299.3, 48, "NVIDIA A40 datasheet: FP16 tensor 149.7 TFLOPS dense (299.4 sparse), INT8 299.3"),
  gpu(
    "RTX A6000",
    154.8,
    309.7,
    48,
    "NVIDIA Ampere GA102 whitepaper: RTX A6000 FP16 tensor, FP32 accumulate, 154.8 TFLOPS dense; INT8 309.7",
    ["A6000"],
  ),
  gpu(
    "RTX 4090",
    165.2,
    660.6,
    24,
    "NVIDIA Ada (AD102) whitepaper: RTX 4090 FP16 tensor, FP32 accumulate, 165.2 TFLOPS dense " +
      "(330.3 with FP16 accumulate); INT8 660.6 TOPS dense",
    ["4090"],
  ),
  gpu(
    "RTX 3090",
    71,
    284,
    24,
    "NVIDIA Ampere GA102 whitepaper: RTX 3090 FP16 tensor, FP32 accumulate, 71 TFLOPS dense " +
      "(142 with FP16 accumulate); INT8 284 TOPS dense",
    ["3090"],
  ),
  gpu("L4", 121, 242.5, 24, "NVIDIA L4 datasheet: FP16 tensor 121 TFLOPS dense (242 sparse), INT8 242.5 dense"),
  gpu("A10", 125, 250, 24, "NVIDIA A10 datasheet: FP16 tensor 125 TFLOPS dense (250 sparse), INT8 250 dense"),
  gpu("V100", 112, null, 32, "NVIDIA V100 datasheet: FP16 tensor 125 (SXM2) / 112 (PCIe) TFLOPS; no INT8 tensor"),
  gpu("T4", 65, 130, 16, "NVIDIA T4 datasheet: FP16 mixed-precision tensor 65 TFLOPS, INT8 130 TOPS"),
  {
    id: "cpu",
    kind: "cpu",
    // A 32-core AVX-512 server peaks near 3 TFLOPS fp32 (32 cores × 2 FMA units × 16 lanes × 2 × 1.5 GHz),
    // but the challenge's cpu runner is runCpuChallenge's TypeScript loop: about 1 G multiply-adds (2
    // GFLOPS-equivalent) per worker thread, measured on a 2-core CI machine. The class assumes half of
    // one worker, so any machine that runs the reference runner passes; the cpu class proves a live
    // machine doing the work, not a speed.
    peakFp16Tflops: 3,
    peakInt8Tops: null,
    sustainedTflops: 0.001,
    maxVramGb: 4096,
    aliases: ["CPU", "NONE"],
    source: "TypeScript reference runner (runCpuChallenge), ~2 GFLOPS-equivalent per worker thread measured",
  },
];

/** Upper-cases, drops vendor/family words and board suffixes ("80GB", "SXM4", "PCIe", "HBM3", "NVL"). */
export function normalizeModelName(model: string): string {
  return model
    .toUpperCase()
    .split(/[\s\-_/]+/)
    .filter((word) => word.length > 0)
    .filter((word) => !["NVIDIA", "GEFORCE", "TESLA", "AMD", "INSTINCT", "TENSOR", "CORE", "GPU"].includes(word))
    .filter((word) => !/^(\d+GB|SXM\d*|PCIE|HBM\d*E?|NVL|OAM)$/.test(word))
    .join("");
}

const BY_NAME = new Map<string, HardwareClass>();
for (const cls of HARDWARE_CLASSES) {
  for (const name of [cls.id, ...cls.aliases]) BY_NAME.set(normalizeModelName(name), cls);
}

/** The class of a model name, or undefined. Exact after normalisation: "A10G" is not "A10". */
export function findHardwareClass(model: string): HardwareClass | undefined {
  return BY_NAME.get(normalizeModelName(model));
}
