// A verified lease is paid only through verification (issue #16 item 1): no settlement along the way, a
// time-out with a result goes to verification, and a lease that ran out without a result is ended unpaid.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  ContractRevertError,
  failLease,
  getLease,
  getVerification,
  openLease,
  resultCommitment,
  settleLease,
  startLease,
} from "@plasma/sdk";
import { keccak256, toHex } from "viem";
import { publishOffer, startTestNet, type TestNet } from "./helpers.ts";

const PRICE = 1_000_000_000_000n; // 1e12 wei per GPU-second
const MANIFEST = keccak256(toHex("manifest"));
const SALT = keccak256(toHex("salt"));

describe("verified leases settle only through verification", () => {
  let net: TestNet;
  let offerId: bigint;

  before(async () => {
    net = await startTestNet();
    offerId = await publishOffer(net, "provider1", {
      endpoint: "http://127.0.0.1:8700",
      attributes: "{}",
      gpuCount: 4,
      pricePerGpuSecond: PRICE,
    });
  });
  after(() => net.stop());

  it("refuses a mid-lease settlement and hands a timed-out result to verification", async () => {
    const client = net.as("client");
    const provider = net.as("provider1");
    const opened = await openLease(client, { offerId, gpus: 1, maxSeconds: 600, verification: "exact" });
    await startLease(provider, { leaseId: opened.leaseId });
    await net.warp(60);
    await assert.rejects(settleLease(provider, { leaseId: opened.leaseId }), (error: unknown) => {
      assert.ok(error instanceof ContractRevertError);
      assert.equal(error.errorName, "MarketVerifiedLeaseSettlesAtEnd");
      assert.match(error.shortMessage, /paid only when it ends with a result, through verification/);
      return true;
    });
    const end = await failLease(provider, {
      leaseId: opened.leaseId,
      reason: "timed-out",
      resultHash: resultCommitment(opened.leaseId, MANIFEST, SALT),
    });
    assert.equal(end.reason, "timed-out");
    assert.ok(end.paid > 0n, "the used seconds are paid, into verification");
    const v = await getVerification(client, opened.leaseId);
    assert.equal(v.stage, "pending");
    assert.ok(v.locked > 0n, "the payout is locked until verification ends");
  });

  it("waits one window for the result of a lease that ran out, then ends it unpaid", async () => {
    const client = net.as("client");
    const provider = net.as("provider1");
    const opened = await openLease(client, { offerId, gpus: 1, maxSeconds: 60, verification: "tolerance" });
    await startLease(provider, { leaseId: opened.leaseId });
    await net.warp(120);
    await assert.rejects(settleLease(client, { leaseId: opened.leaseId }), (error: unknown) => {
      assert.ok(error instanceof ContractRevertError);
      assert.equal(error.errorName, "MarketAwaitingResult");
      assert.match(error.shortMessage, /has until .* to end it with a result/);
      return true;
    });
    await net.warp(3600);
    const { gross } = await settleLease(client, { leaseId: opened.leaseId });
    assert.equal(gross, 0n);
    const lease = await getLease(client, opened.leaseId);
    assert.equal(lease.status, "ended");
    assert.equal(lease.endReason, "escrow-exhausted");
    assert.equal(lease.paid, 0n, "no result, no pay");
  });
});
