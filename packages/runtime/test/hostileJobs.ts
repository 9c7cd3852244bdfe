// What a job can and cannot do, as hostile jobs: each case is a job that tries to break one guarantee and
// the check that it failed. The sandbox tests run every case; the Docker tests run the ones marked for it
// wherever an engine answers. The README's "What a job can and cannot do" lists these guarantees by name.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createWorkArea, JOB_UID_BASE, type RunOptions, type RunResult } from "@plasma/runtime";

/** Runs one job in the runtime under test, in a work area of `diskBytes` (1 GiB by default) it creates. */
export type RunJob = (
  command: string[],
  extra?: Partial<RunOptions> & { diskBytes?: number },
) => Promise<{
  result: RunResult;
  stdout: string;
  stderr: string;
  /** A copy of what the job left in /work. */
  workDir: string;
  /** How the work area was limited. */
  diskLimit: string;
  /** Host uid owning each file the job left at the top of /work. */
  owners: Record<string, number>;
}>;

/**
 * A {@link RunJob} over a runtime (`runSandboxed`, or `runInDocker` with its image): each job in a fresh work
 * area of `diskBytes`, no network, a 30 s timeout, its output collected, what it left copied out and the area
 * removed.
 */
export function jobRunner(runtime: (options: RunOptions) => Promise<RunResult>): RunJob {
  return async (command, extra = {}) => {
    const { diskBytes, ...options } = extra;
    const jobDir = mkdtempSync(join(tmpdir(), "plasma-job-"));
    const area = createWorkArea(jobDir, diskBytes ?? 1024 ** 3);
    let stdout = "";
    let stderr = "";
    try {
      const result = await runtime({
        workDir: area.path,
        workArea: area,
        command,
        env: {},
        network: "none",
        gpus: [],
        timeoutSeconds: 30,
        ...options,
        onStdout: (c) => {
          stdout += c.toString();
          options.onStdout?.(c);
        },
        onStderr: (c) => {
          stderr += c.toString();
          options.onStderr?.(c);
        },
      });
      // Read what the job left before the work area goes (the tests look at its files and their owners).
      const workDir = mkdtempSync(join(tmpdir(), "plasma-job-copy-"));
      cpSync(area.path, workDir, { recursive: true });
      const owners = Object.fromEntries(
        readdirSync(area.path).map((name) => [name, statSync(join(area.path, name)).uid]),
      );
      return { result, stdout, stderr, workDir, diskLimit: area.limit, owners };
    } finally {
      area.remove();
      rmSync(jobDir, { recursive: true, force: true });
    }
  };
}

export type HostileJob = {
  /** The guarantee, as the README states it. */
  guarantee: string;
  /** Runtimes the case applies to (some probe a mechanism only one of them has). */
  runtimes: ("sandbox" | "docker")[];
  /** Runs the hostile job and asserts it failed. Docker cases use only busybox tools (the test image has no more). */
  check(run: RunJob): Promise<void>;
};

/** A TCP listener on the host, to see whether a job can reach it. */
export async function hostListener(host: string): Promise<{ port: number; server: Server; hits: () => number }> {
  let hits = 0;
  const server = createServer((socket) => {
    hits++;
    socket.end("host\n");
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("no port");
  return { port: address.port, server, hits: () => hits };
}

/** A shell line that prints `<host> reached` or `<host> blocked` for a TCP connection (busybox nc or bash). */
export const probe = (host: string, port: number) =>
  `if (command -v nc >/dev/null && timeout 3 nc -w 2 ${host} ${port} </dev/null >/dev/null 2>&1) || ` +
  `(command -v bash >/dev/null && timeout 3 bash -c 'echo > /dev/tcp/${host}/${port}' 2>/dev/null); ` +
  `then echo "${host} reached"; else echo "${host} blocked"; fi`;

const statusField = (stdout: string, field: string) => new RegExp(`^${field}:\\s*(\\S+)`, "m").exec(stdout)?.[1];

export const HOSTILE_JOBS: HostileJob[] = [
  {
    guarantee: "A job has no capabilities, no new privileges, and runs under a seccomp filter",
    runtimes: ["sandbox", "docker"],
    async check(run) {
      const { stdout } = await run([
        "/bin/sh",
        "-c",
        "grep -E '^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):' /proc/self/status",
      ]);
      for (const set of ["CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"])
        assert.equal(statusField(stdout, set), "0000000000000000", `${set} in:\n${stdout}`);
      assert.equal(statusField(stdout, "NoNewPrivs"), "1");
      assert.equal(statusField(stdout, "Seccomp"), "2", "2 = filter mode");
    },
  },
  {
    guarantee: "A job runs as an unprivileged uid, on the host as well as inside (a uid of its own on a root node)",
    runtimes: ["sandbox", "docker"],
    async check(run) {
      const { stdout, owners } = await run(["/bin/sh", "-c", "id -u; touch /work/mine"]);
      assert.notEqual(stdout.trim(), "0", "the job is root inside"); // 1000 in the sandbox's user namespace
      // What the job writes belongs on the host to the uid its processes have there.
      const hostUid = owners.mine;
      assert.ok(hostUid !== undefined && hostUid !== 0, `the job is root on the host (uid ${hostUid})`);
      if (process.getuid?.() === 0) assert.ok(hostUid >= JOB_UID_BASE, `host uid ${hostUid} is not a job uid`);
    },
  },
  {
    guarantee: "A job cannot remount the read-only OS or write anywhere but /work, /tmp and /dev/shm",
    runtimes: ["sandbox", "docker"],
    async check(run) {
      const targets = [
        "/usr/plasma-probe",
        "/etc/plasma-probe",
        "/plasma-probe",
        "/dev/plasma-probe",
        "/opt/plasma-probe",
      ];
      const script = [
        "mount -o remount,bind,rw /usr 2>/dev/null && echo REMOUNTED",
        "mount -t tmpfs none /usr 2>/dev/null && echo MOUNTED",
        ...targets.map((t) => `(echo x > ${t}) 2>/dev/null && echo "WROTE ${t}"`),
        "echo x > /work/ok && echo work-ok",
        "echo x > /tmp/ok && echo tmp-ok",
      ].join("; ");
      const { stdout } = await run(["/bin/sh", "-c", script]);
      assert.doesNotMatch(stdout, /REMOUNTED|MOUNTED|WROTE/);
      assert.match(stdout, /work-ok/);
      assert.match(stdout, /tmp-ok/);
      for (const t of targets) assert.ok(!existsSync(t), `${t} appeared on the host`);
    },
  },
  {
    guarantee:
      "A job cannot make namespaces, trace processes, or call the kernel's keyring, module, BPF or mount calls",
    runtimes: ["sandbox"],
    async check(run) {
      // Each call through libc's syscall(); on arm64 the numbers differ, so the names go by the host's table.
      const x64 = { unshare: 272, setns: 308, ptrace: 101, keyctl: 250, init_module: 175, bpf: 321, mount: 165 };
      const arm64 = { unshare: 97, setns: 268, ptrace: 117, keyctl: 219, init_module: 105, bpf: 280, mount: 40 };
      const numbers = process.arch === "arm64" ? arm64 : x64;
      const { stdout, result } = await run([
        "python3",
        "-c",
        `import ctypes, errno, os
libc = ctypes.CDLL(None, use_errno=True)
for name, nr in ${JSON.stringify(numbers)}.items():
    r = libc.syscall(nr, 0x10000000 if name == "unshare" else 0, 0, 0, 0, 0)
    print(name, "allowed" if r >= 0 else errno.errorcode[ctypes.get_errno()])
pid = os.fork()
if pid == 0: os._exit(0)
os.waitpid(pid, 0)
print("fork ok")
personality = ${process.arch === "arm64" ? 92 : 135}
r = libc.syscall(personality, 0x0040000)
print("no-aslr", "allowed" if r >= 0 else errno.errorcode[ctypes.get_errno()])
print("query", "allowed" if libc.syscall(personality, 0xffffffff) >= 0 else "refused")`,
      ]);
      assert.equal(result.exitCode, 0, stdout);
      for (const name of Object.keys(numbers)) assert.match(stdout, new RegExp(`^${name} EPERM$`, "m"), stdout);
      assert.match(stdout, /fork ok/, "ordinary processes still work");
      assert.match(stdout, /^no-aslr EPERM$/m, "address randomisation cannot be turned off");
      assert.match(stdout, /^query allowed$/m, "personality can still be queried");
      const nested = await run(["/bin/sh", "-c", "unshare -U -r true 2>&1 || echo refused"]);
      assert.match(nested.stdout, /refused/);
    },
  },
  {
    guarantee: "A job sees none of the node's processes, environment, files or keys",
    runtimes: ["sandbox", "docker"],
    async check(run) {
      // The node's own secret, as a provider started as the README says would hold it.
      const key = `0x${randomBytes(32).toString("hex")}`;
      const dataDir = mkdtempSync(join(tmpdir(), "plasma-node-data-"));
      writeFileSync(join(dataDir, "key"), key, { mode: 0o600 });
      const saved = process.env.PLASMA_PRIVATE_KEY;
      process.env.PLASMA_PRIVATE_KEY = key;
      try {
        const { stdout, stderr } = await run([
          "/bin/sh",
          "-c",
          `for f in /proc/[0-9]*/environ /proc/[0-9]*/cmdline; do cat "$f" 2>/dev/null | tr '\\0' ' '; echo; done; env; ` +
            `cat ${join(dataDir, "key")} 2>&1; ls ${dataDir} 2>&1; ls /proc | grep -c '^[0-9]'`,
        ]);
        assert.ok(!stdout.includes(key.slice(2)) && !stderr.includes(key.slice(2)), "the node's key reached the job");
        assert.doesNotMatch(stdout, /PLASMA_PRIVATE_KEY/);
        assert.ok(!stdout.includes(dataDir) || /No such file/.test(stdout), "the node's data directory is visible");
        const processes = Number(stdout.trim().split("\n").at(-1));
        assert.ok(processes <= 6, `the job sees ${processes} processes: more than its own`);
      } finally {
        if (saved === undefined) delete process.env.PLASMA_PRIVATE_KEY;
        else process.env.PLASMA_PRIVATE_KEY = saved;
      }
    },
  },
  {
    guarantee: "A job inherits no file descriptor of the node beyond stdin, stdout and stderr",
    runtimes: ["sandbox"],
    async check(run) {
      const { stdout } = await run(["/bin/sh", "-c", "ls /proc/self/fd"]);
      // ls itself holds one more: the directory it lists.
      const fds = stdout.trim().split("\n").map(Number);
      assert.deepEqual(
        fds.filter((fd) => fd > 3),
        [],
        `open descriptors: ${fds.join(", ")}`,
      );
    },
  },
  {
    guarantee: "A fork bomb stops at the job's process limit and is reported",
    runtimes: ["sandbox"],
    async check(run) {
      const before = readdirSync("/proc").filter((n) => /^\d+$/.test(n)).length;
      let during = 0;
      const { result } = await run(
        ["/bin/bash", "-c", "echo started; bomb() { bomb | bomb & }; bomb; sleep 2; echo survived"],
        {
          maxProcesses: 64,
          timeoutSeconds: 4,
          onStdout: () => {
            during = Math.max(during, readdirSync("/proc").filter((n) => /^\d+$/.test(n)).length);
          },
        },
      );
      assert.equal(result.processLimitReached, true, JSON.stringify(result));
      // Sampled once the bomb had started (its first output): the host gained at most the limit and the chain.
      assert.ok(during - before < 64 + 16, `${during - before} new processes on the host`);
    },
  },
  {
    guarantee: "A job writes at most its disk limit; a job that fills it is stopped and reported",
    runtimes: ["sandbox", "docker"],
    async check(run) {
      const { result, stdout, diskLimit } = await run(
        ["/bin/sh", "-c", "dd if=/dev/zero of=/work/fill bs=1M count=200 2>&1; sleep 30"],
        { diskBytes: 32 * 1024 * 1024 },
      );
      if (process.getuid?.() !== 0) {
        // Only root can mount a limited work area; anywhere else the node says the limit is not enforced.
        assert.match(diskLimit, /^not enforced: the node is not root/);
        return;
      }
      assert.equal(diskLimit, "ext4 image of 32 MiB");
      assert.equal(result.diskExceeded, true, `${JSON.stringify(result)}\n${stdout}`);
      assert.match(stdout, /No space left on device/);
    },
  },
  {
    guarantee: "A job without network has only its own loopback: no host service is reachable",
    runtimes: ["sandbox", "docker"],
    async check(run) {
      const listener = await hostListener("127.0.0.1");
      try {
        const { stdout } = await run([
          "/bin/sh",
          "-c",
          `cat /proc/net/dev | tail -n +3 | cut -d: -f1; ${probe("127.0.0.1", listener.port)}`,
        ]);
        assert.deepEqual(
          stdout
            .trim()
            .split("\n")
            .slice(0, -1)
            .map((l) => l.trim()),
          ["lo"],
        );
        assert.match(stdout, /127\.0\.0\.1 blocked/);
        assert.equal(listener.hits(), 0);
      } finally {
        listener.server.close();
      }
    },
  },
];
