// Shared by the hardware challenge tests: deterministic randomness and interpreters found on this machine.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";

/** A deterministic stand-in for crypto.randomBytes: sha256(label ‖ counter) stream. */
export function seededRandom(label: string): (size: number) => Uint8Array {
  let counter = 0;
  return (size) => {
    const out = Buffer.alloc(size);
    for (let i = 0; i < size; i += 32) {
      createHash("sha256").update(`${label}/${counter++}`).digest().copy(out, i);
    }
    return out;
  };
}

export const hex32 = (label: string): `0x${string}` => `0x${createHash("sha256").update(label).digest("hex")}`;

/** Whether `python` runs `code` and prints "yes". */
function pythonSays(python: string, code: string): boolean {
  const r = spawnSync(python, ["-c", code], { encoding: "utf8", timeout: 60_000 });
  return r.status === 0 && r.stdout.trim() === "yes";
}

const candidates = () =>
  [process.env.PLASMA_TORCH_PYTHON, "python3", "/usr/bin/python3"].filter((p): p is string => !!p);

/** A Python 3 interpreter (torch not needed), or undefined. */
export const plainPython = (): string | undefined =>
  candidates().find((p) => pythonSays(p, "import sys; print('yes' if sys.version_info >= (3, 8) else 'no')"));

/** A Python that has torch, or undefined. */
export const torchPython = (): string | undefined =>
  candidates().find((p) => pythonSays(p, "import torch; print('yes')"));

/** A Python whose torch sees a CUDA device, or undefined. */
export const cudaPython = (): string | undefined =>
  candidates().find((p) => pythonSays(p, "import torch; print('yes' if torch.cuda.is_available() else 'no')"));

/** Whether nvidia-smi runs and lists a GPU. */
export function nvidiaSmiFindsGpu(): { ok: boolean; why: string } {
  const r = spawnSync("nvidia-smi", ["-L"], { encoding: "utf8", timeout: 30_000 });
  if (r.error) return { ok: false, why: "no CUDA GPU: nvidia-smi not found" };
  if (r.status !== 0 || !/GPU \d+:/.test(r.stdout)) return { ok: false, why: "no CUDA GPU: nvidia-smi lists none" };
  return { ok: true, why: "" };
}
