// A provider keeps a floor of free disk: leases that would take it below are ended at once (the client's
// escrow comes back), and a spec asking for more disk than the node can give is refused with a clear error.
import assert from "node:assert/strict";
import { mkdtempSync, statfsSync } from "node:fs";
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

/** Waits for a condition, checking every 100 ms (the provider and the chain change between checks). */
async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

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
  const startNode = async (dir: string, minFreeDiskGb: number) => {
    await node?.stop();
    node = await startProviderNode({
      config: loadProviderConfig(undefined, { dataDir: dir, port: 0, minFreeDiskGb }),
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
});
