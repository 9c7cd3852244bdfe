import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  createOffer,
  type LeaseOpenedEvent,
  type MarketEvent,
  openLease,
  registerProvider,
  stake,
  startLease,
  watchLeaseOpened,
  watchMarketEvents,
} from "@plasma/sdk";
import { parseEther } from "viem";
import { firstEvent, startTestNet, type TestNet } from "./helpers.ts";

describe("event watchers over WebSocket subscriptions", () => {
  let net: TestNet;
  const offers: Record<string, bigint> = {};
  before(async () => {
    net = await startTestNet();
    for (const name of ["provider1", "provider2"] as const) {
      const p = net.as(name);
      await registerProvider(p, { endpoint: `http://${name}` });
      await stake(p, { amount: parseEther("1000") });
      offers[name] = (
        await createOffer(p, { gpuModel: "L40S", vramGb: 48, gpuCount: 2, pricePerGpuSecond: 10n ** 12n, region: "eu" })
      ).offerId;
    }
  });
  after(() => net.stop());

  it("delivers LeaseOpened for the watched provider only", async () => {
    const provider2 = net.devnet.deployment.devAccounts?.provider2?.address as `0x${string}`;
    const seen = firstEvent<LeaseOpenedEvent>((deliver) =>
      watchLeaseOpened(net.as("provider2"), { provider: provider2, onLease: deliver }),
    );
    // A lease on the other provider's offer first: the filter must skip it.
    await openLease(net.as("client"), { offerId: offers.provider1 as bigint, gpus: 1, maxSeconds: 60 });
    const opened = await openLease(net.as("client"), { offerId: offers.provider2 as bigint, gpus: 2, maxSeconds: 60 });
    const event = await seen;
    assert.equal(event.leaseId, opened.leaseId);
    assert.equal(event.provider.toLowerCase(), provider2.toLowerCase());
    assert.equal(event.gpus, 2);
    assert.equal(event.escrow, opened.escrow);
  });

  it("follows one lease's market events", async () => {
    const opened = await openLease(net.as("client"), { offerId: offers.provider1 as bigint, gpus: 1, maxSeconds: 60 });
    const started = firstEvent<MarketEvent>((deliver) =>
      watchMarketEvents(net.as("client"), { leaseId: opened.leaseId, onEvent: deliver }),
    );
    await startLease(net.as("provider1"), { leaseId: opened.leaseId });
    const event = await started;
    assert.equal(event.eventName, "LeaseStarted");
    assert.equal(event.args.leaseId, opened.leaseId);
  });
});
