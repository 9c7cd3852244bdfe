import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { networkInterfaces, tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  buildManifest,
  bwrapArgs,
  egressUnavailable,
  hashManifest,
  runSandboxed,
  sandboxAvailable,
} from "@plasma/runtime";
import { HOSTILE_JOBS, hostListener, jobRunner, probe } from "./hostileJobs.ts";

assert.ok(sandboxAvailable(), "bubblewrap is required: `npm install` installs it (apt-get install bubblewrap)");

const run = jobRunner(runSandboxed);

describe("hostile jobs in the sandbox", () => {
  for (const job of HOSTILE_JOBS) it(job.guarantee, () => job.check(run));
});

describe("bubblewrap sandbox", () => {
  it("runs a command in /work, streams its output and reports its exit code", async () => {
    const { result, stdout, workDir } = await run(["/bin/sh", "-c", "pwd; echo hi > out.txt; exit 3"]);
    assert.equal(result.exitCode, 3);
    assert.equal(stdout.trim(), "/work");
    assert.equal(readFileSync(join(workDir, "out.txt"), "utf8"), "hi\n");
  });

  it("kills a job at its timeout", async () => {
    const { result } = await run(["/bin/sh", "-c", "sleep 60"], { timeoutSeconds: 1 });
    assert.equal(result.timedOut, true);
    assert.ok(result.durationMs < 10_000, `took ${result.durationMs} ms`);
  });

  it("kills a job that exceeds its memory limit and says so", async () => {
    const { result } = await run(["python3", "-c", "x = bytearray(512 * 1024 * 1024); print(len(x))"], {
      memoryBytes: 128 * 1024 * 1024,
    });
    assert.match(result.memoryLimit, /^128 MiB \(cgroup v[12]\)$/, `memory limit: ${result.memoryLimit}`);
    assert.equal(result.memoryExceeded, true);
    assert.notEqual(result.exitCode, 0);
    const ok = await run(["python3", "-c", "x = bytearray(16 * 1024 * 1024); print(len(x))"], {
      memoryBytes: 128 * 1024 * 1024,
    });
    assert.equal(ok.result.exitCode, 0);
    assert.equal(ok.result.memoryExceeded, false);
  });

  it("stops a job when asked", async () => {
    const controller = new AbortController();
    const running = run(["/bin/sh", "-c", "echo started; sleep 60"], {
      signal: controller.signal,
      onStdout: () => controller.abort(),
    });
    const { result } = await running;
    assert.equal(result.aborted, true);
    assert.equal(result.timedOut, false);
  });

  it("shows the job only its leased GPUs", () => {
    const args = bwrapArgs({
      workDir: "/w",
      command: ["true"],
      env: { CUDA_VISIBLE_DEVICES: "0,1,2,3" },
      network: "none",
      gpus: [2, 5],
    });
    const env = Object.fromEntries(args.flatMap((a, i) => (a === "--setenv" ? [[args[i + 1], args[i + 2]]] : [])));
    assert.equal(env.CUDA_VISIBLE_DEVICES, "2,5", "the spec cannot widen its GPUs");
    assert.equal(env.CUDA_DEVICE_ORDER, "PCI_BUS_ID");
    assert.ok(!args.includes("--share-net"));
  });
});

describe("output manifest", () => {
  it("lists files sorted with size and sha256, skips links, and hashes stably", async () => {
    const workDir = mkdtempSync(join(tmpdir(), "plasma-out-"));
    mkdirSync(join(workDir, "out/sub"), { recursive: true });
    writeFileSync(join(workDir, "out/b.txt"), "bb");
    writeFileSync(join(workDir, "out/sub/a.txt"), "a");
    writeFileSync(join(workDir, "metrics.json"), "{}");
    symlinkSync("/etc/passwd", join(workDir, "out/leak"));
    const manifest = await buildManifest(workDir, ["out/", "metrics.json", "missing.bin"]);
    assert.deepEqual(manifest, [
      { path: "metrics.json", size: 2, sha256: "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a" },
      { path: "out/b.txt", size: 2, sha256: "3b64db95cb55c763391c707108489ae18b4112d783300de38e033b4c98c3deaf" },
      { path: "out/sub/a.txt", size: 1, sha256: "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb" },
    ]);
    assert.equal(hashManifest(manifest), hashManifest(structuredClone(manifest)));
    assert.notEqual(hashManifest(manifest), hashManifest(manifest.slice(1)));
  });

  it("never follows a link out of the work directory, even as a parent of an output", async () => {
    const secrets = mkdtempSync(join(tmpdir(), "plasma-node-"));
    mkdirSync(join(secrets, "keys"));
    writeFileSync(join(secrets, "keys/provider.key"), "0xsecret");
    const workDir = mkdtempSync(join(tmpdir(), "plasma-out-"));
    symlinkSync(secrets, join(workDir, "node"));
    mkdirSync(join(workDir, "out"));
    symlinkSync(join(secrets, "keys"), join(workDir, "out/keys"));
    writeFileSync(join(workDir, "out/ok.txt"), "ok");
    const manifest = await buildManifest(workDir, ["node/keys/provider.key", "node/keys/", "node/", "out/"]);
    assert.deepEqual(
      manifest.map((e) => e.path),
      ["out/ok.txt"],
    );
  });
});

// Egress is tested against hosts this test makes in a network namespace of its own ("the internet"):
// a public address (TEST-NET-2) the job must reach through its NAT, and private, carrier-grade NAT and
// link-local (cloud metadata) addresses it must not, though the host itself reaches every one of them.
const egressSkip = egressUnavailable();
describe("egress jobs reach the public internet only", {
  skip: egressSkip && `egress isolation needs root, ip and nft here: ${egressSkip}`,
}, () => {
  const NS = `plasma-test-inet-${process.pid}`;
  const HOST_END = `pti${process.pid % 100000}`;
  const PUBLIC = "198.51.100.7";
  const PRIVATE = ["10.99.0.7", "192.168.99.7", "172.16.99.7", "100.64.99.7", "169.254.169.254"];
  // A public network the host itself is on (as in a datacenter), and a neighbour on it.
  const NEIGHBOUR = "203.0.113.9";
  const ip = (...args: string[]) => {
    const r = spawnSync("ip", args, { encoding: "utf8" });
    assert.equal(r.status, 0, `ip ${args.join(" ")}: ${r.stderr}`);
  };
  let servers: ReturnType<typeof spawn>[] = [];
  let hostServer: Awaited<ReturnType<typeof hostListener>>;

  before(async () => {
    ip("netns", "add", NS);
    ip("link", "add", HOST_END, "type", "veth", "peer", "name", "eth0", "netns", NS);
    ip("addr", "add", "198.51.100.1/32", "dev", HOST_END);
    ip("addr", "add", "203.0.113.1/24", "dev", HOST_END);
    ip("link", "set", HOST_END, "up");
    ip("-n", NS, "addr", "add", `${NEIGHBOUR}/24`, "dev", "eth0");
    ip("-n", NS, "link", "set", "lo", "up");
    ip("-n", NS, "link", "set", "eth0", "up");
    for (const address of [PUBLIC, ...PRIVATE]) {
      ip("-n", NS, "addr", "add", `${address}/32`, "dev", "eth0");
      ip("route", "add", `${address}/32`, "dev", HOST_END);
    }
    ip("-n", NS, "route", "add", "198.51.100.1/32", "dev", "eth0");
    ip("-n", NS, "route", "add", "default", "via", "198.51.100.1");
    // One listener on every address of "the internet", answering "internet"; it says "ready" once bound.
    const server = spawn("ip", [
      "netns",
      "exec",
      NS,
      "python3",
      "-u",
      "-c",
      "import socketserver\nclass H(socketserver.BaseRequestHandler):\n  def handle(self): self.request.sendall(b'internet\\n')\ns = socketserver.ThreadingTCPServer(('0.0.0.0', 8099), H)\nprint('ready')\ns.serve_forever()",
    ]);
    servers = [server];
    await new Promise<void>((resolve, reject) => {
      server.stdout?.on("data", (c: Buffer) => c.toString().includes("ready") && resolve());
      server.once("exit", (code) => reject(new Error(`the test internet's server exited (${code})`)));
    });
    // The host reaches each test host: so a "blocked" below is the job's rules, not a missing route.
    for (const address of [PUBLIC, NEIGHBOUR, ...PRIVATE]) {
      const r = spawnSync("bash", ["-c", `timeout 2 bash -c 'cat < /dev/tcp/${address}/8099'`], { encoding: "utf8" });
      assert.match(r.stdout, /internet/, `the host cannot reach the test host ${address}`);
    }
    hostServer = await hostListener("0.0.0.0");
  });

  after(() => {
    for (const server of servers) server.kill();
    hostServer?.server.close();
    spawnSync("ip", ["link", "del", HOST_END]);
    spawnSync("ip", ["netns", "del", NS]);
  });

  it("reaches a public address, and none of loopback, the host, its network, private, CGNAT or link-local ranges", async () => {
    const hostAddresses = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a && a.family === "IPv4")
      .map((a) => a?.address as string);
    const targets = [
      ...[PUBLIC, NEIGHBOUR, ...PRIVATE].map((a) => ({ address: a, port: 8099 })),
      ...hostAddresses.map((a) => ({ address: a, port: hostServer.port })),
    ];
    const { stdout } = await run(["/bin/bash", "-c", targets.map((t) => probe(t.address, t.port)).join("; ")], {
      network: "egress",
    });
    assert.match(stdout, new RegExp(`^${PUBLIC.replaceAll(".", "\\.")} reached$`, "m"), stdout);
    for (const address of [NEIGHBOUR, ...PRIVATE, ...hostAddresses])
      assert.match(stdout, new RegExp(`^${address.replaceAll(".", "\\.")} blocked$`, "m"), stdout);
    assert.equal(hostServer.hits(), 0, "a host service answered the job");
  });

  it("uses public resolvers, has no IPv6, and leaves no namespace behind", async () => {
    const { stdout } = await run(
      ["/bin/sh", "-c", "cat /etc/resolv.conf; cat /proc/sys/net/ipv6/conf/all/disable_ipv6; ip -o link | wc -l"],
      { network: "egress" },
    );
    assert.match(stdout, /^nameserver 1\.1\.1\.1$/m);
    assert.doesNotMatch(stdout, /nameserver (127\.|10\.|192\.168\.)/);
    assert.match(stdout, /^1$/m, "IPv6 is off in the job's namespace");
    const left = spawnSync("ip", ["netns", "list"], { encoding: "utf8" }).stdout;
    assert.doesNotMatch(left, /plasma-job-/);
  });
});
