// A verified lease may be worth at most a fifth of a validator's slash (issue #16): 10,000 XPL × 50 % / 5 =
// 1,000 XPL at the defaults. openLease says so before signing, with the message the contract's revert gets.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { computeMarketAbi } from "@plasma/contracts";
import {
  ContractRevertError,
  getLeaseCount,
  maxVerifiedLeaseValue,
  openLease,
  plasmaErrorsAbi,
  toPlasmaError,
} from "@plasma/sdk";
import { parseEther, zeroAddress, zeroHash } from "viem";
import { publishOffer, startTestNet, type TestNet } from "./helpers.ts";

const PRICE = 10n ** 15n; // 1 XPL per 1,000 GPU-seconds: the 1,000 XPL cap is 1,000,000 seconds of one GPU
const CAP_SECONDS = 1_000_000;

function isTooLarge(value: bigint) {
  return (error: unknown) => {
    assert.ok(error instanceof ContractRevertError, String(error));
    assert.equal(error.errorName, "MarketVerifiedLeaseTooLarge");
    assert.deepEqual(error.args, [value, parseEther("1000")]);
    assert.match(error.shortMessage, /worth at most 1000 XPL \(a fifth of a validator's slash\)/);
    assert.match(error.message, /smaller leases \(fewer seconds or GPUs\).*--verify none/s);
    return true;
  };
}

describe("the verified-lease cap", () => {
  let net: TestNet;
  let offerId: bigint;

  before(async () => {
    net = await startTestNet();
    offerId = await publishOffer(net, "provider1", {
      endpoint: "http://127.0.0.1:8700",
      gpuCount: 4,
      pricePerGpuSecond: PRICE,
    });
  });
  after(() => net.stop());

  it("is a fifth of the validator slash", async () => {
    assert.equal(await maxVerifiedLeaseValue(net.as("client")), parseEther("1000"));
  });

  it("refuses a verified lease above it before anything is sent", async () => {
    const client = net.as("client");
    const leases = await getLeaseCount(client);
    await assert.rejects(
      openLease(client, { offerId, gpus: 1, maxSeconds: CAP_SECONDS + 1, verification: "exact" }),
      isTooLarge(parseEther("1000") + PRICE),
    );
    await assert.rejects(
      openLease(client, { offerId, gpus: 4, maxSeconds: CAP_SECONDS / 4 + 1, verification: "tolerance" }),
      isTooLarge(parseEther("1000") + 4n * PRICE),
    );
    assert.equal(await getLeaseCount(client), leases, "no lease was opened");
  });

  it("names the cap, not the balance, for a verified lease the client could not pay either", async () => {
    const maxSeconds = 4_000_000_000; // 4 GPUs: 16 million XPL, more than the client holds
    await assert.rejects(
      openLease(net.as("client"), { offerId, gpus: 4, maxSeconds, verification: "exact" }),
      isTooLarge(4n * BigInt(maxSeconds) * PRICE),
    );
  });

  it("gives the contract's own revert the same message", async () => {
    const client = net.as("client");
    const args = {
      offerId,
      gpus: 1,
      maxSeconds: CAP_SECONDS + 1,
      maxPricePerGpuSecond: PRICE,
      specHash: zeroHash,
      builder: zeroAddress,
      verification: 1,
    };
    const simulated = client.public
      .simulateContract({
        address: client.addresses.computeMarket,
        abi: [...computeMarketAbi, ...plasmaErrorsAbi],
        functionName: "openLease",
        args: [args],
        account: client.account,
      })
      .catch((error: unknown) => Promise.reject(toPlasmaError(error, "")));
    await assert.rejects(simulated, isTooLarge(parseEther("1000") + PRICE));
  });

  it("does not cap a lease without verification", async () => {
    const opened = await openLease(net.as("client"), { offerId, gpus: 1, maxSeconds: CAP_SECONDS + 1 });
    assert.equal(opened.escrow, parseEther("1000") + PRICE);
  });
});
