import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { completeLease, getLease, openLease, startLease } from "@plasma/sdk";
import { createTestClient, http, keccak256, toHex } from "viem";
import { publishOffer, startTestNet, type TestNet } from "./helpers.ts";

describe("gas estimates that depend on the block's time", () => {
  let net: TestNet;
  before(async () => {
    net = await startTestNet();
  });
  after(() => net.stop());

  /**
   * Opens and starts a lease on `provider`'s new offer, then completes it with the estimate made in the start's
   * second (nothing accrued: no pay, no fee) and the transaction mined ten seconds later, when both move.
   */
  async function completeMinedLate(name: "provider1" | "provider2", verification: "none" | "exact") {
    const provider = net.as(name);
    const offerId = await publishOffer(net, name, {
      endpoint: `http://127.0.0.1:${name === "provider1" ? 8700 : 8701}`,
      gpuCount: 1,
      pricePerGpuSecond: 10n ** 12n,
    });
    const { leaseId } = await openLease(net.as("client"), {
      offerId,
      gpus: 1,
      maxSeconds: 3600,
      specHash: keccak256(toHex("spec")),
      verification,
    });
    await startLease(provider, { leaseId });
    const { startedAt } = await getLease(provider, leaseId);
    const test = createTestClient({ mode: "anvil", transport: http(net.devnet.deployment.rpcUrl) });
    await test.setAutomine(false);
    const completed = completeLease(provider, { leaseId, resultHash: keccak256(toHex("manifest")) });
    const sent = async () => Object.keys((await test.getTxpoolContent()).pending).length > 0;
    for (let i = 0; i < 200 && !(await sent()); i++) await new Promise((r) => setTimeout(r, 25)); // bounded: 5 s
    await test.setNextBlockTimestamp({ timestamp: BigInt(startedAt + 10) });
    await test.mine({ blocks: 1 });
    await test.setAutomine(true);
    await completed;
    const lease = await getLease(provider, leaseId);
    assert.equal(lease.endReason, "completed");
    assert.equal(lease.paid, 10n * 10n ** 12n);
  }

  it("completes the chain's first lease even when it is mined seconds after the estimate's block", () =>
    // The protocol's first fee fills a fresh storage slot.
    completeMinedLate("provider1", "none"));

  it("completes a verified lease mined seconds after the estimate: its payout locked in verification", () =>
    completeMinedLate("provider2", "exact"));
});
