// The provider's limits on what a job costs it beyond the sandbox: a floor of free disk (leases that would
// take it below are ended at once, the client's escrow coming back; a spec asking for more disk than the node
// can give is refused), a cap on the log a job writes, and outputs a job makes uncollectable (too many
// files, no inodes left) being the job's failure: its lease still completes, with the node's report.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, statfsSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  createPlasmaClient,
  type Devnet,
  getLease,
  hashJobSpec,
  listOffers,
  openLease,
  type PlasmaClient,
  ProviderApiError,
  parseJobSpec,
  startDevnet,
  submitJobSpec,
} from "@plasma/sdk";
import type { Address, Hex } from "viem";
import { loadProviderConfig } from "../src/config.ts";
import { createLogger } from "../src/logger.ts";
import { type ProviderNode, startProviderNode } from "../src/service.ts";
import { until } from "./until.ts";

describe("the provider's free-disk floor", () => {
  let devnet: Devnet;
  let client: PlasmaClient;
  let provider: Address;
  let node: ProviderNode | undefined;
  const key = (name: string) => devnet.deployment.devAccounts?.[name]?.privateKey as Hex;
  const dataDir = () => mkdtempSync(join(tmpdir(), "plasma-floor-"));
  const freeGb = (dir: string) => {
    const fs = statfsSync(dir);
    return (fs.bavail * fs.bsize) / 1024 ** 3;
  };
  const startNode = async (dir: string, minFreeDiskGb: number, maxJobLogMb = 64) => {
    await node?.stop();
    node = await startProviderNode({
      config: loadProviderConfig(undefined, { dataDir: dir, port: 0, minFreeDiskGb, maxJobLogMb }),
      deployment: devnet.deployment,
      privateKey: key("provider2"),
      logger: createLogger("error"), // the second node catches up the first one's ended lease and warns
    });
    return node;
  };
  const lease = async (spec: ReturnType<typeof parseJobSpec>) => {
    const [offer] = await listOffers(client, { provider });
    assert.ok(offer, "the node's offer is listed");
    const { leaseId } = await openLease(client, {
      offerId: offer.id,
      gpus: 1,
      maxSeconds: 600,
      specHash: hashJobSpec(spec),
      verification: "none",
    });
    return leaseId;
  };

  before(async () => {
    devnet = await startDevnet();
    client = createPlasmaClient({ deployment: devnet.deployment, account: key("client") });
    provider = createPlasmaClient({ deployment: devnet.deployment, account: key("provider2") }).account
      ?.address as Address;
  });
  after(async () => {
    await node?.stop();
    await client?.close();
    await devnet?.stop();
  });

  it("ends a lease at once, refunding the client, while the disk is under the floor", async () => {
    const dir = dataDir();
    await startNode(dir, Math.ceil(freeGb(dir)) + 1000); // more than the disk has: always under the floor
    const leaseId = await lease(parseJobSpec({ version: 1, command: ["true"] }));
    const ended = await until("the lease to end", async () => {
      const l = await getLease(client, leaseId);
      return l.status === "ended" ? l : undefined;
    });
    assert.equal(ended.endReason, "provider-failed");
    assert.equal(ended.paid, 0n, "the client paid nothing");
  });

  it("refuses a spec that asks for more disk than the node can give, and ends the lease", async () => {
    const dir = dataDir();
    const running = await startNode(dir, 0);
    const spec = parseJobSpec({ version: 1, command: ["true"], resources: { gpus: 1, diskGb: 60_000 } });
    const leaseId = await lease(spec);
    await until("the lease to start", async () =>
      (await getLease(client, leaseId)).status === "running" ? 1 : undefined,
    );
    await assert.rejects(submitJobSpec({ client, endpoint: running.url, leaseId }, spec), (error: unknown) => {
      assert.ok(error instanceof ProviderApiError, String(error));
      assert.equal(error.code, "not-enough-disk");
      assert.equal(error.status, 507);
      assert.match(error.message, /asks for 60000 GiB of disk/);
      return true;
    });
    const ended = await until("the lease to end", async () => {
      const l = await getLease(client, leaseId);
      return l.status === "ended" ? l : undefined;
    });
    assert.equal(ended.endReason, "provider-failed");
  });

  /** Runs a spec to its end on a node with a 1 MiB log cap; returns the lease and the node's files for it. */
  const runToEnd = async (spec: ReturnType<typeof parseJobSpec>) => {
    const dir = dataDir();
    const running = await startNode(dir, 0, 1);
    const leaseId = await lease(spec);
    await until("the lease to start", async () =>
      (await getLease(client, leaseId)).status === "running" ? 1 : undefined,
    );
    await submitJobSpec({ client, endpoint: running.url, leaseId }, spec);
    const ended = await until(
      "the lease to end",
      async () => {
        const l = await getLease(client, leaseId);
        return l.status === "ended" ? l : undefined;
      },
      120_000,
    );
    const jobDir = join(dir, "jobs", leaseId.toString());
    const manifest = JSON.parse(readFileSync(join(jobDir, "manifest.json"), "utf8")) as {
      path: string;
      sha256: string;
    }[];
    const exitEntry = manifest.find((e) => e.path === ".plasma/exit.json");
    assert.ok(exitEntry, "the node's report is among the outputs");
    const exit = JSON.parse(
      readFileSync(join(dir, "artifacts", exitEntry.sha256.slice(0, 2), exitEntry.sha256), "utf8"),
    );
    return { ended, jobDir, manifest, exit };
  };

  it("keeps at most the log cap of a job that prints without end, and says so", async () => {
    const { ended, jobDir } = await runToEnd(
      parseJobSpec({ version: 1, command: ["/bin/sh", "-c", "yes plasma-log-flood | head -c 20000000; echo done"] }),
    );
    assert.equal(ended.endReason, "completed");
    const logs = statSync(join(jobDir, "logs.txt")).size;
    assert.ok(logs < 1024 ** 2 + 64 * 1024, `the log grew to ${logs} bytes`);
    assert.match(readFileSync(join(jobDir, "logs.txt"), "utf8"), /passed the log limit of 1 MiB; the rest is dropped/);
  });

  it("completes a lease whose job left outputs that cannot be collected, with the reason in its report", async () => {
    const { ended, manifest, exit } = await runToEnd(
      parseJobSpec({
        version: 1,
        command: [
          "python3",
          "-c",
          "import os\nos.makedirs('out')\nfor i in range(10_050): open(f'out/f{i}', 'w').close()",
        ],
      }),
    );
    assert.equal(ended.endReason, "completed", "the job's doing is not the provider's failure");
    assert.deepEqual(
      manifest.map((e) => e.path),
      [".plasma/exit.json", ".plasma/logs.txt"],
    );
    assert.match(exit.outputsError, /more than 10000 files; pack them into an archive/);
  });

  it("stops a job that runs out of files (inodes) in its work area, and completes its lease", async () => {
    if (process.getuid?.() !== 0) return; // only root can limit a work area (the runtime tests say so)
    const { ended, exit } = await runToEnd(
      parseJobSpec({
        version: 1,
        command: ["/bin/sh", "-c", "mkdir out; i=0; while : > out/f$i; do i=$((i+1)); done; sleep 30"],
        resources: { gpus: 1, diskGb: 0.03 },
      }),
    );
    assert.equal(ended.endReason, "completed");
    assert.equal(exit.diskExceeded, true, JSON.stringify(exit));
  });
});
