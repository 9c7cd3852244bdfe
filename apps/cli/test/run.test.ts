import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import {
  createPlasmaClient,
  getJobStatus,
  getLease,
  getProvider,
  hashJobSpec,
  listOffers,
  openLease,
  parseJobSpecText,
  readDeployment,
  signRequest,
} from "@plasma/sdk";
import { BIN, type Dev, plasma, plasmaJson, startDev, startRun, tempHome } from "./harness.ts";

const EXAMPLE = fileURLToPath(new URL("../../../examples/train-tiny/job.yaml", import.meta.url));

type Summary = {
  leaseId: string;
  exitCode: number | null;
  timedOut: boolean;
  memoryExceeded: boolean;
  endReason: string;
  paid: string;
  verificationFee: string;
  refund: string;
  resultsDir: string | null;
  outputs: { path: string; sha256: string }[];
};

describe("plasma run against the devnet's provider (separate processes)", () => {
  let dev: Dev;
  let home: string;
  let cwd: string;
  before(async () => {
    home = tempHome();
    cwd = mkdtempSync(join(tmpdir(), "plasma-run-"));
    dev = await startDev(home, "0", ["--provider-port", "0"]);
  });
  after(async () => {
    if (dev.process.exitCode === null) await dev.stop();
  });

  const run = async (args: string[]) => {
    const result = await plasma(home, [
      "run",
      "--json",
      "--out",
      join(cwd, `r${Math.random().toString(36).slice(2)}`),
      ...args,
    ]);
    return { ...result, summary: result.stdout ? (JSON.parse(result.stdout) as Summary) : undefined };
  };
  const client = () =>
    createPlasmaClient({
      deployment: readDeployment(join(home, "deployment.json")),
      account: readDeployment(join(home, "deployment.json")).devAccounts?.client?.privateKey as `0x${string}`,
    });

  it("runs the quick-start job out of the box", async () => {
    const result = await plasma(home, [
      "run",
      "--out",
      join(cwd, "hello"),
      "--",
      "python3",
      "-c",
      "print('hello from a Plasma GPU node')",
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^hello from a Plasma GPU node$/m);
    assert.match(result.stdout, /✔ lease \d+ completed/);
    assert.match(result.stdout, /results \(verified against the on-chain hash\)/);
  });

  it("trains the example model and brings back verified weights and metrics, paid to the wei", async () => {
    const { code, summary, stderr } = await run([EXAMPLE]);
    assert.equal(code, 0, stderr);
    assert.ok(summary?.resultsDir);
    const metrics = JSON.parse(readFileSync(join(summary.resultsDir, "out/metrics.json"), "utf8"));
    assert.ok(metrics.final_loss < metrics.first_loss / 10, "the model learned");
    const weights = JSON.parse(readFileSync(join(summary.resultsDir, "out/weights.json"), "utf8"));
    assert.ok(Math.abs(weights.w - 3) < 0.1 && Math.abs(weights.b - 0.5) < 0.1);
    const lease = await getLease(client(), BigInt(summary.leaseId));
    assert.equal(lease.endReason, "completed");
    assert.equal(lease.verification, "exact", "verified as the spec's default asks");
    assert.equal(BigInt(summary.verificationFee), (lease.paid * 1000n) / 10_000n, "a 10 % fee on what was paid");
    assert.equal(
      BigInt(summary.paid) + BigInt(summary.verificationFee) + BigInt(summary.refund),
      lease.totalEscrow,
      "paid + fee + refund == escrow",
    );
    assert.equal(
      BigInt(summary.paid),
      lease.pricePerGpuSecond * BigInt(lease.endedAt - lease.startedAt),
      "paid exactly the seconds used",
    );
  });

  it("explains a failing job: exit code, last log lines, what it cost", async () => {
    const result = await plasma(home, [
      "run",
      "--out",
      join(cwd, "fail"),
      "--",
      "python3",
      "-c",
      "import sys; print('about to fail'); sys.exit(3)",
    ]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /job: exited with code 3/);
    assert.match(result.stdout, /last log lines:[\s\S]*about to fail/);
    assert.match(result.stdout, /cost [\d.]+ XPL( \+ [\d.]+ XPL verification fee)?, refunded [\d.]+ XPL/);
  });

  it("kills a job at its timeout and pays only the seconds used", async () => {
    const { summary } = await run(["--timeout", "2s", "--", "sleep", "30"]);
    assert.equal(summary?.timedOut, true);
    assert.equal(summary?.endReason, "timed-out");
    const lease = await getLease(client(), BigInt(summary?.leaseId ?? 0));
    assert.ok(lease.endedAt - lease.startedAt < 15, "ended long before the 30 s sleep");
  });

  it("kills a job over its memory limit", async () => {
    const spec = join(cwd, "memory.yaml");
    writeFileSync(
      spec,
      'version: 1\ncommand: ["python3", "-c", "x = bytearray(512 * 1024 * 1024)"]\nresources: { memoryGb: 0.125 }\n',
    );
    const { summary } = await run([spec]);
    assert.equal(summary?.memoryExceeded, true);
    assert.notEqual(summary?.exitCode, 0);
  });

  it("keeps the job off the network and away from the node's files", async () => {
    const deploymentFile = join(home, "deployment.json");
    const { summary } = await run([
      "--",
      "python3",
      "-c",
      `import socket, os\ntry:\n  socket.create_connection(("1.1.1.1", 80), 2); print("NET OK")\nexcept OSError as e: print("no network:", e)\nprint("key visible" if os.path.exists("${deploymentFile}") else "key hidden")`,
    ]);
    assert.ok(summary?.resultsDir);
    const logs = readFileSync(join(summary.resultsDir, ".plasma/logs.txt"), "utf8");
    assert.match(logs, /no network: .*(unreachable|Network)/i);
    assert.match(logs, /key hidden/);
  });

  it("refuses inputs whose hash does not match the spec before opening a lease", async () => {
    writeFileSync(join(cwd, "data.txt"), "real data");
    const spec = join(cwd, "bad-input.yaml");
    writeFileSync(
      spec,
      `version: 1\ncommand: ["cat", "data.txt"]\ninputs:\n  - { path: data.txt, sha256: "${"0".repeat(64)}" }\n`,
    );
    const result = await plasma(home, ["run", spec]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /data\.txt has sha256 [0-9a-f]{64}, not 0{64}/);
  });

  it("rejects unsigned, forged, replayed and foreign requests to the provider", async (t) => {
    const c = client();
    t.after(() => c.close());
    const { leaseId } = (await run(["--", "true"])).summary ?? { leaseId: "0" };
    const lease = await getLease(c, BigInt(leaseId));
    const endpoint = (await getProvider(c, lease.provider)).endpoint;
    const path = `/v1/leases/${leaseId}`;
    const unsigned = await fetch(new URL(path, endpoint));
    assert.equal(unsigned.status, 401);
    assert.equal(((await unsigned.json()) as { error: { code: string } }).error.code, "unsigned");

    const headers = await signRequest(c, { leaseId: BigInt(leaseId), method: "GET", path });
    assert.equal((await fetch(new URL(path, endpoint), { headers })).status, 200);
    const replay = await fetch(new URL(path, endpoint), { headers });
    assert.equal(replay.status, 401);
    assert.equal(((await replay.json()) as { error: { code: string } }).error.code, "replayed");

    const deployment = readDeployment(join(home, "deployment.json"));
    const stranger = createPlasmaClient({
      deployment,
      account: deployment.devAccounts?.validator?.privateKey as `0x${string}`,
    });
    const foreign = await fetch(new URL(path, endpoint), {
      headers: await signRequest(stranger, { leaseId: BigInt(leaseId), method: "GET", path }),
    });
    assert.equal(foreign.status, 403);

    const expired = await signRequest(c, { leaseId: BigInt(leaseId), method: "GET", path, now: Date.now() - 600_000 });
    assert.equal((await fetch(new URL(path, endpoint), { headers: expired })).status, 401);

    const tampered = await signRequest(c, { leaseId: BigInt(leaseId), method: "GET", path: `${path}/outputs` });
    assert.equal(
      (await fetch(new URL(path, endpoint), { headers: tampered })).status,
      403,
      "a signature for another path recovers another signer",
    );
    assert.ok(existsSync(join(home, "devnet-provider", "state.sqlite")));
  });

  it("answers malformed, oversized, mismatched and path-traversing requests with clear 4xx errors", async (t) => {
    const c = client();
    t.after(() => c.close());
    const deployment = readDeployment(join(home, "deployment.json"));
    const [offer] = await listOffers(c, { provider: deployment.devAccounts?.provider2?.address, minFreeGpus: 1 });
    assert.ok(offer, "the devnet provider has an offer");
    const data = "the real data";
    const specText = `version: 1\ncommand: ["cat", "data.txt"]\ninputs:\n  - { path: data.txt, sha256: "${createHash("sha256").update(data).digest("hex")}" }\n`;
    const { leaseId } = await openLease(c, {
      offerId: offer.id,
      gpus: 1,
      maxSeconds: 600,
      specHash: hashJobSpec(parseJobSpecText(specText)),
    });
    const endpoint = (await getProvider(c, offer.provider)).endpoint;
    const api = { client: c, endpoint, leaseId };
    for (let i = 0; i < 100 && (await getJobStatus(api)).state !== "awaiting-spec"; i++) {
      await new Promise((r) => setTimeout(r, 50)); // bounded: the provider starts the lease on chain first
    }
    const send = async (method: string, path: string, body?: string) => {
      const full = `/v1/leases/${leaseId}${path}`;
      const headers = await signRequest(c, { leaseId, method, path: full, ...(body === undefined ? {} : { body }) });
      const response = await fetch(new URL(full, endpoint), {
        method,
        headers,
        ...(body === undefined ? {} : { body }),
      });
      const json = (await response.json()) as { error?: { code: string; message: string }; state?: string };
      return { status: response.status, code: json.error?.code, message: json.error?.message ?? "", json };
    };

    const malformed = await send("POST", "/spec", "command: [unclosed");
    assert.deepEqual([malformed.status, malformed.code], [400, "invalid-spec"]);
    assert.match(malformed.message, /not valid YAML|YAML/);
    const oversized = await send("POST", "/spec", `# ${"x".repeat(70_000)}\n${specText}`);
    assert.deepEqual([oversized.status, oversized.code], [413, "too-large"]);
    assert.match(oversized.message, /limit of 65536 bytes/);
    const other = await send("POST", "/spec", 'version: 1\ncommand: ["cat", "/etc/hostname"]\n');
    assert.deepEqual([other.status, other.code], [409, "spec-hash-mismatch"]);
    const accepted = await send("POST", "/spec", specText);
    assert.deepEqual([accepted.status, accepted.json.state], [200, "awaiting-inputs"]);

    const traversal = await send("PUT", "/inputs/..%2F..%2Fstate.sqlite", data);
    assert.deepEqual([traversal.status, traversal.code], [400, "bad-path"]);
    assert.match(traversal.message, /\.\./);
    const absolute = await send("PUT", "/inputs/%2Fetc%2Fpasswd", data);
    assert.deepEqual([absolute.status, absolute.code], [400, "bad-path"]);
    const undeclared = await send("PUT", "/inputs/other.txt", data);
    assert.deepEqual([undeclared.status, undeclared.code], [400, "undeclared-input"]);
    const wrongBytes = await send("PUT", "/inputs/data.txt", "forged data");
    assert.deepEqual([wrongBytes.status, wrongBytes.code], [400, "input-hash-mismatch"]);
    const outputTraversal = await send("GET", "/outputs/..%2F..%2Fstate.sqlite");
    assert.deepEqual([outputTraversal.status, outputTraversal.code], [400, "bad-path"]);
    const early = await send("GET", "/outputs");
    assert.deepEqual([early.status, early.code], [409, "no-results-yet"]);
    const badId = await fetch(new URL("/v1/leases/abc", endpoint));
    assert.equal(badId.status, 400);

    const stopped = await send("POST", "/stop");
    assert.equal(stopped.status, 200);
  });

  it("replaces a .plasma link planted by the job instead of writing through it", async () => {
    const target = mkdtempSync(join(tmpdir(), "plasma-node-files-"));
    const { summary } = await run(["--", "ln", "-s", target, ".plasma"]);
    assert.ok(summary?.resultsDir);
    assert.deepEqual(readdirSync(target), [], "nothing was written outside the job's directory");
    assert.ok(existsSync(join(summary.resultsDir, ".plasma/exit.json")));
  });

  it("lists, follows and stops a running job from other commands, paying only the seconds used", {
    timeout: 60_000,
  }, async (t) => {
    const c = client();
    t.after(() => c.close());
    const run = await startRun(home, c, ["--out", join(cwd, "stopped"), "--", "sh", "-c", "echo started; sleep 120"]);
    const id = run.leaseId.toString();
    const jobs = await plasmaJson<{ leases: { id: string; status: string }[] }>(home, ["jobs"]);
    assert.equal(jobs.leases[0]?.id, id, "newest first");
    assert.equal(jobs.leases[0]?.status, "running");

    const logs = spawn(process.execPath, [BIN, "logs", id], { env: { ...process.env, PLASMA_HOME: home } });
    let followed = "";
    await new Promise<void>((resolve) => {
      const onData = (chunk: Buffer) => {
        followed += chunk.toString();
        if (followed.includes("started")) resolve();
      };
      logs.stdout.on("data", onData); // live lines
      logs.stderr.on("data", onData); // what was logged before `plasma logs` connected
    });
    const logsExited = new Promise<number | null>((resolve) => logs.once("exit", resolve));

    const stop = await plasmaJson<{ paid: string; refund: string }>(home, ["stop", id]);
    const lease = await getLease(c, run.leaseId);
    assert.equal(lease.endReason, "stopped-by-client");
    assert.equal(BigInt(stop.paid), lease.pricePerGpuSecond * BigInt(lease.endedAt - lease.startedAt));
    assert.equal(BigInt(stop.refund), lease.totalEscrow - BigInt(stop.paid));
    assert.equal(await logsExited, 0, "plasma logs ends with the job");
    assert.equal(await run.exited, 1, "plasma run reports the stopped job as not successful");
    const summary = JSON.parse(run.output().stdout) as Summary;
    assert.equal(summary.endReason, "stopped-by-client");
    assert.equal(summary.refund, stop.refund);
  });
});
