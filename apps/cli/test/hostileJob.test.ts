// A stranger's job sent as a client sends it (`plasma run`), against the devnet's provider node: it must not
// read the node's key or environment, must leave nothing on the node's disk after its lease, and must stop
// at its disk limit. The sandbox's own guarantees are pinned one by one in packages/runtime/test.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { readDeployment } from "@plasma/sdk";
import { type Dev, plasma, startDev, tempHome } from "./harness.ts";

type Summary = { leaseId: string; resultsDir: string | null; exitCode: number | null };

describe("a hostile job through plasma run", () => {
  let dev: Dev;
  let home: string;
  let cwd: string;
  // A secret in the provider node's environment, as PLASMA_PRIVATE_KEY is on a node started as the README says.
  const canary = randomBytes(24).toString("hex");
  before(async () => {
    home = tempHome();
    cwd = mkdtempSync(join(tmpdir(), "plasma-hostile-"));
    process.env.PLASMA_HOSTILE_CANARY = canary;
    try {
      dev = await startDev(home, "0", ["--provider-port", "0"]);
    } finally {
      delete process.env.PLASMA_HOSTILE_CANARY;
    }
  });
  after(async () => {
    if (dev.process.exitCode === null) await dev.stop();
  });

  const run = async (args: string[]) => {
    const result = await plasma(home, ["run", "--json", "--out", join(cwd, randomBytes(4).toString("hex")), ...args]);
    assert.ok(result.stdout, result.stderr);
    return { ...result, summary: JSON.parse(result.stdout) as Summary };
  };
  const providerKey = () =>
    (readDeployment(join(home, "deployment.json")).devAccounts?.provider2?.privateKey ?? "").slice(2);
  const jobDir = (leaseId: string) => join(home, "devnet-provider", "jobs", leaseId);

  it("reads neither the node's key nor its environment, and leaves no files on the node", async () => {
    const { summary, stderr } = await run([
      "--",
      "/bin/sh",
      "-c",
      "cat /proc/1/environ /proc/[0-9]*/environ /proc/[0-9]*/cmdline 2>/dev/null | tr '\\0' '\\n'; env; " +
        `ls -la /proc /root ${home} 2>&1; cat ${join(home, "deployment.json")} 2>&1; echo probe-done`,
    ]);
    assert.ok(summary.resultsDir, stderr);
    const logs = readFileSync(join(summary.resultsDir, ".plasma/logs.txt"), "utf8");
    assert.match(logs, /probe-done/, "the probe ran to its end");
    assert.ok(!logs.includes(canary), "the node's environment reached the job");
    assert.ok(!logs.includes(providerKey()), "the provider's key reached the job");
    assert.match(logs, /No such file or directory/, "the node's home is not there to read");
    // The outputs are in the provider's store; the job's own files are gone from its disk.
    assert.ok(existsSync(jobDir(summary.leaseId)), "the lease's record (logs, manifest) stays");
    assert.ok(!existsSync(join(jobDir(summary.leaseId), "work")), "the job's work folder was deleted");
    assert.ok(!existsSync(join(jobDir(summary.leaseId), "work.img")), "the job's disk image was deleted");
    assert.doesNotMatch(readFileSync("/proc/self/mountinfo", "utf8"), new RegExp(jobDir(summary.leaseId)));
  });

  it("stops a job that fills its disk, and says so", async () => {
    const spec = join(cwd, "disk.yaml");
    writeFileSync(
      spec,
      'version: 1\ncommand: ["/bin/sh", "-c", "dd if=/dev/zero of=big bs=1M count=512; sleep 30"]\nresources: { diskGb: 0.03 }\n',
    );
    const { summary, stderr } = await run([spec]);
    assert.ok(summary.resultsDir, stderr);
    const exit = JSON.parse(readFileSync(join(summary.resultsDir, ".plasma/exit.json"), "utf8"));
    const logs = readFileSync(join(summary.resultsDir, ".plasma/logs.txt"), "utf8");
    if (process.getuid?.() !== 0) {
      assert.match(exit.diskLimit, /^not enforced: the node is not root/);
      return;
    }
    assert.equal(exit.diskExceeded, true, JSON.stringify(exit));
    assert.match(exit.diskLimit, /^ext4 image of 30\.7 MiB$/);
    assert.match(logs, /filled its work area \(ext4 image of 30\.7 MiB\) and was stopped/);
    assert.match(logs, /No space left on device/);
  });
});
