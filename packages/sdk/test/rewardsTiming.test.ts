// Rewards go to the stake that was there during their epoch (issue #16 item 5): new stake and delegations
// wait for the epoch after the one they arrive in, and the SDK distributes what they wait for first.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  completeLease,
  createOffer,
  delegateStake,
  getArrivals,
  getDelegation,
  getRewardsSummary,
  openLease,
  registerProvider,
  stake,
  startLease,
} from "@plasma/sdk";
import { type Address, keccak256, parseEther, toHex } from "viem";
import { startTestNet, type TestNet } from "./helpers.ts";

describe("rewards and the stake of their epoch, against anvil", () => {
  let net: TestNet;
  before(async () => {
    net = await startTestNet();
  });
  after(() => net.stop());

  it("pays an epoch's reward only to stake that was there, distributing it before new stake arrives", async () => {
    const p = net.as("provider1");
    const provider = p.account?.address as Address;
    await registerProvider(p, { endpoint: "http://127.0.0.1:8700" });
    await stake(p, { amount: parseEther("5000") });
    const { offerId } = await createOffer(p, {
      gpuModel: "H100",
      vramGb: 80,
      gpuCount: 8,
      pricePerGpuSecond: 10n ** 15n,
      region: "eu",
    });
    const c = net.as("client");
    const client = c.account?.address as Address;
    await delegateStake(c, { provider, amount: parseEther("1000") }); // arrives during the epoch it would share
    const before = await getArrivals(c, provider);
    const epoch = before.currentEpoch;
    assert.equal(before.sharesEpoch, epoch, "the client's shares wait for the next epoch");
    assert.ok(before.shares > 0n);

    const { leaseId } = await openLease(c, { offerId, gpus: 8, maxSeconds: 600 });
    await startLease(p, { leaseId });
    await net.warp(600);
    await completeLease(p, { leaseId, resultHash: keccak256(toHex("result")) });
    const summary = await getRewardsSummary(p, provider);
    await net.warp(summary.epochEndsAt - (await net.now()));

    // A later delegation would be refused while the client's shares wait for the ended epoch's reward: the SDK
    // distributes it first.
    const b = net.as("builder");
    await delegateStake(b, { provider, amount: parseEther("100000") });
    const arrivals = await getArrivals(b, provider);
    assert.equal(arrivals.firstUndistributedEpoch, undefined, "the worked epoch was distributed");
    assert.equal(arrivals.sharesEpoch, epoch + 1, "only the builder's shares wait now");
    assert.equal((await getDelegation(c, provider, client)).rewards, 0n, "the client was not there for the epoch");
    const after = await getRewardsSummary(p, provider);
    assert.ok(after.owed > 0n, "the whole reward is the provider's: only its stake was there");
    assert.equal((await getDelegation(b, provider, b.account?.address as Address)).rewards, 0n);
    // The provider's own new stake likewise takes no part in the epoch it arrives in.
    await stake(p, { amount: parseEther("1000") });
    assert.equal((await getArrivals(p, provider)).stake, parseEther("1000"));
  });
});
