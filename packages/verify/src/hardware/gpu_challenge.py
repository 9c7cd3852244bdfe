#!/usr/bin/env python3
"""Plasma proof-of-GPU challenge runner (spec v1): the provider's GPU side.

Reads a challenge (JSON, as createChallenge in challenge.ts makes it) on stdin, builds the matrices from
its seed exactly as generator.ts does, runs the chain of chain.ts on the GPU(s) with PyTorch, commits to
the outputs with the Merkle tree of merkle.ts, and prints one JSON object on stdout:

  {"root": "0x…", "leafCount": …, "computeMs": …, "path": "int8", "devices": [...],
   "zFile": ".../z.bin", "leafFile": ".../leaves.bin", ...}

z.bin holds every row's outputs (int16 little-endian, rows × width), leaves.bin the leaf hashes; the
TypeScript side (runGpuChallenge) reads them to open rows. On failure it prints
{"error": {"code": …, "message": …}} and exits 2; codes: torch-missing, no-cuda, bad-challenge, failed.

Modes:
  (default)                 run on CUDA (all visible GPUs up to the challenge's gpuCount)
  --device cpu              run the torch path on the CPU (for testing without a GPU)
  --split N                 with --device cpu: split the rows over N pseudo-devices, as over N GPUs
  --batch N                 rows per batch (default 2^27 / n); small values exercise the batching in tests
  --path int8|fp16|bf16|fp32|fp64|auto   force the arithmetic (default auto: int8, then fp16, then fp32)
  --out DIR                 where z.bin and leaves.bin go (default: a new temporary directory)
  --generate-only           no torch: print the sha256 of every row of G, B, W, S, D (plain Python ints)
  --generate-only --engine torch   the same through the torch generator
  --reference-rows 0,5,17   no torch: print those rows' outputs computed with plain Python ints

Every path is exact: entries are -1/0/1, so a product over at most 2048 terms (fp16) or 256 (bf16)
never leaves the range where every partial sum is an exactly representable integer, whatever order and
precision the hardware accumulates in; int8 x int8 -> int32 and fp32 are exact outright. Before the timed
run the chosen path is compared against float64 on the first rows, and the next path is tried on a
mismatch.
"""

import hashlib
import json
import os
import struct
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

DOMAIN = b"plasma/proof-of-gpu/v1"
GOLDEN = 0x9E3779B9
M32 = 0xFFFFFFFF
TAGS = {"G": 0, "B": 1, "W": 2, "S": 3, "D": 4}
SIGN_MATRICES = ("S", "D")
EXACT_BLOCK = {"fp16": 2048, "bf16": 256}


class RunnerError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


# ---------------------------------------------------------------- challenge


def read_challenge(text):
    try:
        ch = json.loads(text)
    except ValueError as e:
        raise RunnerError("bad-challenge", "stdin is not JSON: %s" % e)
    if not isinstance(ch, dict) or ch.get("version") != 1:
        raise RunnerError("bad-challenge", "not a version-1 challenge")
    seed = str(ch.get("seed", ""))
    seed = seed[2:] if seed.startswith("0x") else seed
    if len(seed) != 64:
        raise RunnerError("bad-challenge", "seed must be 32 bytes of hex")
    try:
        bytes.fromhex(seed)
    except ValueError:
        raise RunnerError("bad-challenge", "seed must be 32 bytes of hex")
    limits = {"n": (8, 16384), "rows": (1, 2**27), "rounds": (1, 1024), "width": (1, 64),
              "rowsPerLeaf": (1, 65536), "gpuCount": (1, 64)}
    for field, (lo, hi) in limits.items():
        v = ch.get(field)
        if not isinstance(v, int) or isinstance(v, bool) or v < lo or v > hi:
            raise RunnerError("bad-challenge", "%s must be an integer in [%d, %d], got %r" % (field, lo, hi, v))
    if ch["n"] % 8:
        raise RunnerError("bad-challenge", "n must be a multiple of 8")
    ch["seed"] = seed
    return ch


def generator_keys(seed_hex):
    return struct.unpack(">8I", hashlib.sha256(DOMAIN + bytes.fromhex(seed_hex)).digest())


# ---------------------------------------------------------------- plain Python reference


def fmix32(h):
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & M32
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & M32
    h ^= h >> 16
    return h


def py_row(keys, name, row, cols):
    u = fmix32((row ^ keys[TAGS[name]]) & M32)
    out = []
    for c in range(cols):
        h = fmix32((u + c * GOLDEN) & M32)
        out.append(1 - 2 * (h >> 31) if name in SIGN_MATRICES else h % 3 - 1)
    return out


def matrix_shapes(ch):
    n, w = ch["n"], ch["width"]
    return {"G": (n, n), "B": (n, n), "W": (n, w), "S": ((ch["rows"] + n - 1) // n, n), "D": (ch["rounds"], n)}


def row_digest(values):
    return hashlib.sha256(struct.pack("%db" % len(values), *values)).hexdigest()


def py_generate_only(ch):
    keys = generator_keys(ch["seed"])
    out = {"keys": list(keys)}
    for name, (rows, cols) in matrix_shapes(ch).items():
        out[name] = [row_digest(py_row(keys, name, r, cols)) for r in range(rows)]
    return out


def py_reference_rows(ch, rows):
    n, k, w = ch["n"], ch["rounds"], ch["width"]
    keys = generator_keys(ch["seed"])
    B = [py_row(keys, "B", r, n) for r in range(n)]
    D = [py_row(keys, "D", r, n) for r in range(k)]
    W = [py_row(keys, "W", r, w) for r in range(n)]
    result = {}
    for j in rows:
        if not 0 <= j < ch["rows"]:
            raise RunnerError("bad-challenge", "row %d is not in [0, %d)" % (j, ch["rows"]))
        x = [g * s for g, s in zip(py_row(keys, "G", j % n, n), py_row(keys, "S", j // n, n))]
        for i in range(k):
            y = [0] * n
            for c in range(n):
                if x[c]:
                    y = [a + x[c] * b for a, b in zip(y, B[c])]
            x = [(1 if v > 0 else -1 if v < 0 else 0) * d for v, d in zip(y, D[i])]
        result[str(j)] = [sum(x[c] * W[c][o] for c in range(n)) for o in range(w)]
    return {"rows": result}


# ---------------------------------------------------------------- torch


def import_torch():
    try:
        import torch  # noqa: F401
    except ImportError as e:
        raise RunnerError("torch-missing", "torch is not installed for %s (%s)" % (sys.executable, e))
    return torch


def t_mul32(h, c):
    # (h * c) mod 2^32 without overflowing int64: h < 2^32 and each half of c < 2^16.
    return ((((h * (c >> 16)) & 0xFFFF) << 16) + h * (c & 0xFFFF)) & M32


def t_fmix32(h):
    h = h ^ (h >> 16)
    h = t_mul32(h, 0x85EBCA6B)
    h = h ^ (h >> 13)
    h = t_mul32(h, 0xC2B2AE35)
    return h ^ (h >> 16)


def t_matrix(torch, keys, name, row_start, row_count, cols, device, chunk=1 << 22):
    """Rows [row_start, row_start+row_count) of a challenge matrix as an int8 tensor on `device`."""
    out = torch.empty((row_count, cols), dtype=torch.int8, device=device)
    col = (torch.arange(cols, dtype=torch.int64, device=device) * GOLDEN) & M32
    step = max(1, chunk // max(cols, 1))
    for a in range(0, row_count, step):
        b = min(row_count, a + step)
        rows = torch.arange(row_start + a, row_start + b, dtype=torch.int64, device=device)
        u = t_fmix32(rows ^ keys[TAGS[name]])
        h = t_fmix32((u[:, None] + col[None, :]) & M32)
        v = 1 - 2 * (h >> 31) if name in SIGN_MATRICES else torch.remainder(h, 3) - 1
        out[a:b] = v.to(torch.int8)
    return out


def torch_generate_only(ch, device_name):
    torch = import_torch()
    device = torch.device(device_name)
    keys = generator_keys(ch["seed"])
    out = {"keys": list(keys)}
    for name, (rows, cols) in matrix_shapes(ch).items():
        m = t_matrix(torch, keys, name, 0, rows, cols, device).cpu()
        out[name] = [row_digest(m[r].tolist()) for r in range(rows)]
    return out


class DeviceState:
    """The shared matrices on one device, and the rows [row_start, row_end) it computes."""

    def __init__(self, torch, ch, keys, device, row_start, row_end):
        n = ch["n"]
        self.torch, self.ch, self.device = torch, ch, device
        self.row_start, self.row_end = row_start, row_end
        self.G = t_matrix(torch, keys, "G", 0, n, n, device)
        self.B = t_matrix(torch, keys, "B", 0, n, n, device)
        self.D = t_matrix(torch, keys, "D", 0, ch["rounds"], n, device)
        W = t_matrix(torch, keys, "W", 0, n, ch["width"], device)
        # x_k = sign(y_{k-1}) * D[k-1], so x_k . W = sign(y_{k-1}) . (diag(D[k-1]) W).
        self.W_last = (W.to(torch.int32) * self.D[-1].to(torch.int32)[:, None]).to(torch.float32)
        self.q0 = row_start // n
        q1 = (row_end - 1) // n if row_end > row_start else self.q0
        self.S = t_matrix(torch, keys, "S", self.q0, q1 - self.q0 + 1, n, device)
        self.out = torch.empty((row_end - row_start, ch["width"]), dtype=torch.int16, device=device)
        # The k round matrices are kept when they fit in 1 GiB, else rebuilt per batch (n^2 work, negligible).
        self.cache = {} if ch["rounds"] * n * n * 2 <= 1 << 30 else None

    def start_rows(self, a, b):
        torch, n = self.torch, self.ch["n"]
        j = torch.arange(a, b, dtype=torch.int64, device=self.device)
        return self.G[torch.remainder(j, n)] * self.S[torch.div(j, n, rounding_mode="floor") - self.q0]

    def round_matrix(self, i, dtype):
        # Round 0 multiplies by B; round i >= 1 by diag(D[i-1]) B, which equals masking x_i by D[i-1].
        if self.cache is not None and (i, dtype) in self.cache:
            return self.cache[(i, dtype)]
        torch = self.torch
        m = self.B.to(dtype) if i == 0 else (self.B * self.D[i - 1][:, None]).to(dtype)
        if self.cache is not None and dtype != torch.float64:
            self.cache[(i, dtype)] = m
        return m

    def chain(self, a, b, path):
        """Outputs z of rows [a, b) (global indices) as an int16 tensor on the device."""
        torch, n = self.torch, self.ch["n"]
        if path == "int8" and b - a <= 16:
            path = "fp32"  # torch._int_mm wants more than 16 rows
        dtype = {"int8": torch.int8, "fp16": torch.float16, "bf16": torch.bfloat16,
                 "fp32": torch.float32, "fp64": torch.float64}[path]
        x = self.start_rows(a, b).to(dtype)
        for i in range(self.ch["rounds"]):
            m = self.round_matrix(i, dtype)
            if path == "int8":
                y = torch._int_mm(x, m)
            elif path in EXACT_BLOCK:
                kc = EXACT_BLOCK[path]
                if n <= kc:
                    y = x @ m
                elif n <= 2 * kc:
                    # Two exact block sums; the in-place add rounds their exact sum once, which keeps its sign.
                    y = x[:, :kc] @ m[:kc]
                    y += x[:, kc:] @ m[kc:]
                else:
                    y = (x[:, :kc] @ m[:kc]).to(torch.float32)
                    for k0 in range(kc, n, kc):
                        y += (x[:, k0:k0 + kc] @ m[k0:k0 + kc]).to(torch.float32)
            else:
                y = x @ m
            x = torch.sign(y).to(dtype)
        z = x.to(torch.float32) @ self.W_last
        return z.to(torch.int16)

    def run(self, a, b, path):
        self.out[a - self.row_start:b - self.row_start] = self.chain(a, b, path)


def choose_path(torch, state, requested, on_cuda):
    """The first path whose outputs equal float64's on the first rows (or the requested one, checked)."""
    if requested != "auto":
        order = [requested]
    elif on_cuda:
        order = (["int8"] if hasattr(torch, "_int_mm") else []) + ["fp16", "fp32"]
    else:
        order = ["fp32"]
    a = state.row_start
    b = min(state.row_end, a + 64)
    reference = state.chain(a, b, "fp64")
    tried = []
    for path in order:
        try:
            ok = bool(torch.equal(state.chain(a, b, path), reference))
        except Exception as e:  # an unsupported dtype or kernel on this device/build
            tried.append({"path": path, "ok": False, "error": str(e).splitlines()[0][:200]})
            continue
        tried.append({"path": path, "ok": ok})
        if ok:
            return path, tried
    raise RunnerError("failed", "no arithmetic path reproduced the float64 reference: %s" % json.dumps(tried))


def tensor_le_bytes(t):
    t = t.contiguous()
    try:
        return t.numpy().astype("<i2").tobytes()
    except (ImportError, RuntimeError, TypeError):  # torch without numpy: slower, same bytes
        values = t.reshape(-1).tolist()
        return struct.pack("<%dh" % len(values), *values)


def merkle_root(leaves):
    level = leaves
    while len(level) > 1:
        nxt = [hashlib.sha256(b"\x01" + level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0]


def leaf_hashes(data, ch):
    per_leaf = ch["rowsPerLeaf"] * ch["width"] * 2
    view = memoryview(data)

    def one(i):
        h = hashlib.sha256(b"\x00")
        h.update(view[i * per_leaf:(i + 1) * per_leaf])
        return h.digest()

    count = (ch["rows"] + ch["rowsPerLeaf"] - 1) // ch["rowsPerLeaf"]
    with ThreadPoolExecutor(max_workers=min(32, os.cpu_count() or 1)) as pool:
        return list(pool.map(one, range(count), chunksize=256))


def torch_run(ch, device_kind, requested_path, out_dir, split=1, batch=0):
    started = time.perf_counter()
    torch = import_torch()
    on_cuda = device_kind == "cuda"
    if on_cuda:
        if not torch.cuda.is_available() or torch.cuda.device_count() == 0:
            raise RunnerError("no-cuda", "torch has no CUDA device (torch %s, built for CUDA %s)"
                              % (torch.__version__, torch.version.cuda))
        count = min(torch.cuda.device_count(), ch["gpuCount"])
        if count < ch["gpuCount"]:
            print("warning: the challenge is for %d GPUs, torch sees %d" % (ch["gpuCount"], count), file=sys.stderr)
        devices = [torch.device("cuda", i) for i in range(count)]
        names = [torch.cuda.get_device_name(d) for d in devices]
    else:
        devices = [torch.device("cpu")] * split
        names = ["cpu (torch)"] * split
    keys = generator_keys(ch["seed"])
    m, n = ch["rows"], ch["n"]
    bounds = [(m * i // len(devices), m * (i + 1) // len(devices)) for i in range(len(devices))]
    states = [DeviceState(torch, ch, keys, d, a, b) for d, (a, b) in zip(devices, bounds) if b > a]
    path, tried = choose_path(torch, states[0], requested_path, on_cuda)
    for s in states[1:]:  # every device must reproduce float64 too (this also warms up its kernels)
        a, b = s.row_start, min(s.row_end, s.row_start + 64)
        if not bool(torch.equal(s.chain(a, b, path), s.chain(a, b, "fp64"))):
            raise RunnerError("failed", "%s does not reproduce the float64 reference with %s" % (s.device, path))
    for s in states:
        if s.cache is not None:
            s.cache.clear()  # drop the matrices of the paths the self-check tried
    batch = batch or max(64, (1 << 27) // n)  # 32768 rows at n = 4096: under 2 GiB of temporaries per device
    if on_cuda:
        for d in devices:
            torch.cuda.synchronize(d)
    compute_start = time.perf_counter()
    # Kernel launches are asynchronous: one thread keeps every device busy by issuing batches round-robin.
    offsets = [s.row_start for s in states]
    while any(o < s.row_end for o, s in zip(offsets, states)):
        for i, s in enumerate(states):
            a = offsets[i]
            if a < s.row_end:
                b = min(s.row_end, a + batch)
                s.run(a, b, path)
                offsets[i] = b
    if on_cuda:
        for d in devices:
            torch.cuda.synchronize(d)
    compute_ms = (time.perf_counter() - compute_start) * 1000
    z = torch.cat([s.out.cpu() for s in states])
    data = tensor_le_bytes(z)
    leaves = leaf_hashes(data, ch)
    root = merkle_root(leaves)
    if out_dir is None:
        out_dir = tempfile.mkdtemp(prefix="plasma-pog-")
    z_file = os.path.join(out_dir, "z.bin")
    leaf_file = os.path.join(out_dir, "leaves.bin")
    with open(z_file, "wb") as f:
        f.write(data)
    with open(leaf_file, "wb") as f:
        f.write(b"".join(leaves))
    return {
        "version": 1,
        "challengeId": ch.get("id"),
        "root": "0x" + root.hex(),
        "leafCount": len(leaves),
        "rows": m,
        "width": ch["width"],
        "path": path,
        "selfCheck": tried,
        "devices": names,
        "computeMs": compute_ms,
        "totalMs": (time.perf_counter() - started) * 1000,
        "torch": torch.__version__,
        "cuda": torch.version.cuda,
        "zFile": z_file,
        "leafFile": leaf_file,
    }


# ---------------------------------------------------------------- main


def parse_args(argv):
    opts = {"device": "cuda", "path": "auto", "out": None, "generate_only": False, "engine": "python",
            "reference_rows": None, "split": "1", "batch": "0"}
    i = 0
    while i < len(argv):
        arg = argv[i]
        value = argv[i + 1] if i + 1 < len(argv) else None
        if arg == "--generate-only":
            opts["generate_only"] = True
            i += 1
            continue
        if arg not in ("--device", "--path", "--out", "--engine", "--reference-rows", "--split",
                       "--batch") or value is None:
            raise RunnerError("bad-challenge", "unknown or incomplete argument %r" % arg)
        if arg == "--reference-rows":
            opts["reference_rows"] = [int(v) for v in value.split(",") if v.strip()]
        else:
            opts[arg[2:]] = value
        i += 2
    if opts["device"] not in ("cuda", "cpu"):
        raise RunnerError("bad-challenge", "--device must be cuda or cpu")
    if not opts["split"].isdigit() or not 1 <= int(opts["split"]) <= 64:
        raise RunnerError("bad-challenge", "--split must be an integer in [1, 64]")
    if not opts["batch"].isdigit():
        raise RunnerError("bad-challenge", "--batch must be a number of rows")
    if opts["path"] not in ("auto", "int8", "fp16", "bf16", "fp32", "fp64"):
        raise RunnerError("bad-challenge", "--path must be auto, int8, fp16, bf16, fp32 or fp64")
    return opts


def main(argv):
    try:
        opts = parse_args(argv)
        ch = read_challenge(sys.stdin.read())
        if opts["generate_only"]:
            result = py_generate_only(ch) if opts["engine"] == "python" else torch_generate_only(ch, opts["device"])
        elif opts["reference_rows"] is not None:
            result = py_reference_rows(ch, opts["reference_rows"])
        else:
            result = torch_run(ch, opts["device"], opts["path"], opts["out"], int(opts["split"]),
                               int(opts["batch"]))
        sys.stdout.write(json.dumps(result) + "\n")
        return 0
    except RunnerError as e:
        sys.stdout.write(json.dumps({"error": {"code": e.code, "message": str(e)}}) + "\n")
        return 2
    except Exception as e:  # anything else: report it the same way, with the traceback on stderr
        import traceback

        traceback.print_exc()
        sys.stdout.write(json.dumps({"error": {"code": "failed", "message": "%s: %s" % (type(e).__name__, e)}}) + "\n")
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
