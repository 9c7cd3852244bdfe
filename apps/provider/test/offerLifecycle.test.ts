// A node's offers are on the market only while it runs: a clean stop deactivates them, the next
// start reactivates the same offers.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createPlasmaClient, type Devnet, getOffer, listOffers, type PlasmaClient, startDevnet } from "@plasma/sdk";
import type { Address, Hex } from "viem";
import { loadProviderConfig } from "../src/config.ts";
import { createLogger } from "../src/logger.ts";
import { startProviderNode } from "../src/service.ts";

describe("provider node: its offers follow its life", () => {
  let devnet: Devnet;
  let reader: PlasmaClient;
  let provider: Address;
  let key: Hex;
  const dataDir = mkdtempSync(join(tmpdir(), "plasma-offers-"));
  const start = () =>
    startProviderNode({
      config: loadProviderConfig(undefined, {
        dataDir,
        port: 0,
        offers: [{ pricePerGpuHour: "3.6", region: "local" }],
      }),
      deployment: devnet.deployment,
      privateKey: key,
      logger: createLogger("warn"),
    });

  before(async () => {
    devnet = await startDevnet();
    key = devnet.deployment.devAccounts?.provider2?.privateKey as Hex;
    reader = createPlasmaClient({ deployment: devnet.deployment });
    provider = createPlasmaClient({ deployment: devnet.deployment, account: key }).account?.address as Address;
  });
  after(async () => {
    await reader?.close();
    await devnet?.stop();
  });

  it("deactivates its offers on a clean stop and reactivates the same offers on the next start", async () => {
    const first = await start();
    assert.equal(first.offerIds.length, 1);
    const [offerId] = first.offerIds as [bigint];
    assert.equal((await getOffer(reader, offerId)).active, true, "listed while the node runs");

    await first.stop();
    const stopped = await getOffer(reader, offerId);
    assert.equal(stopped.active, false, "a stopped node's offer takes no leases");
    assert.equal(stopped.gpuCount > 0 && stopped.pricePerGpuSecond > 0n, true, "price and GPUs are kept");
    assert.deepEqual(await listOffers(reader, { provider }), [], "the market no longer lists it");

    const second = await start();
    try {
      assert.deepEqual(second.offerIds, [offerId], "the same offer, not a new one");
      assert.equal((await getOffer(reader, offerId)).active, true, "listed again");
    } finally {
      await second.stop();
    }
  });
});
