import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  ContractRevertError,
  createOffer,
  getLockedCollateral,
  getOffer,
  getProtocolParameters,
  getProvider,
  listOffers,
  openLease,
  registerProvider,
  requestUnstake,
  stake,
  updateOffer,
  withdrawStake,
} from "@plasma/sdk";
import { parseEther } from "viem";
import { startTestNet, type TestNet } from "./helpers.ts";

const isRevert = (name: string) => (error: unknown) => error instanceof ContractRevertError && error.errorName === name;

describe("provider registry against anvil", () => {
  let net: TestNet;
  before(async () => {
    net = await startTestNet();
  });
  after(() => net.stop());

  it("registers, stakes with a permit, and refuses offers below the minimum stake", async () => {
    const p = net.as("provider1");
    await registerProvider(p, { endpoint: "http://127.0.0.1:8700" });
    await assert.rejects(registerProvider(p, { endpoint: "http://x" }), isRevert("RegistryAlreadyRegistered"));
    const offer = { gpuModel: "H100", vramGb: 80, gpuCount: 8, pricePerGpuSecond: 10n ** 12n, region: "eu" };
    await assert.rejects(createOffer(p, offer), (error: unknown) => {
      assert.ok(error instanceof ContractRevertError);
      assert.equal(error.errorName, "RegistryStakeBelowMinimum");
      assert.match(error.message, /minimum is 1000 XPL/);
      return true;
    });
    await stake(p, { amount: parseEther("1500") });
    const record = await getProvider(p, p.account?.address as `0x${string}`);
    assert.equal(record.stake, parseEther("1500"));
    assert.equal(record.endpoint, "http://127.0.0.1:8700");
    const { offerId } = await createOffer(p, offer);
    assert.equal((await getOffer(p, offerId)).freeGpus, 8);
  });

  it("keeps the minimum stake while offers are active, and unbonds over the unbonding period", async () => {
    const p = net.as("provider1");
    const me = p.account?.address as `0x${string}`;
    await assert.rejects(requestUnstake(p, { amount: parseEther("501") }), isRevert("RegistryStakeBelowMinimum"));
    const { releaseAt } = await requestUnstake(p, { amount: parseEther("500") });
    const { unbondingPeriod } = await getProtocolParameters(p);
    assert.equal(Number(releaseAt), (await net.now()) + unbondingPeriod);
    await assert.rejects(withdrawStake(p), isRevert("RegistryUnbondingNotFinished"));
    await net.warp(unbondingPeriod);
    const { amount } = await withdrawStake(p);
    assert.equal(amount, parseEther("500"));
    assert.equal((await getProvider(p, me)).unbonding, 0n);
    await assert.rejects(withdrawStake(p), isRevert("RegistryNothingToWithdraw"));
  });

  it("lists offers with filters, cheapest first, and hides inactive ones", async () => {
    const p2 = net.as("provider2");
    await registerProvider(p2, { endpoint: "http://127.0.0.1:8701" });
    await stake(p2, { amount: parseEther("2000") });
    const cheapA100 = await createOffer(p2, {
      gpuModel: "A100",
      vramGb: 40,
      gpuCount: 2,
      pricePerGpuSecond: 5n * 10n ** 11n,
      region: "us",
    });
    const dearH100 = await createOffer(p2, {
      gpuModel: "H100",
      vramGb: 94,
      gpuCount: 1,
      pricePerGpuSecond: 3n * 10n ** 12n,
      region: "us",
    });
    const all = await listOffers(p2);
    assert.deepEqual(
      all.map((o) => o.id),
      [cheapA100.offerId, 1n, dearH100.offerId],
    );
    assert.deepEqual(
      (await listOffers(p2, { gpuModel: "h100" })).map((o) => o.id),
      [1n, dearH100.offerId],
    );
    assert.deepEqual(
      (await listOffers(p2, { minVramGb: 90 })).map((o) => o.id),
      [dearH100.offerId],
    );
    assert.deepEqual(
      (await listOffers(p2, { maxPricePerGpuSecond: 10n ** 12n, region: "US" })).map((o) => o.id),
      [cheapA100.offerId],
    );
    await updateOffer(p2, {
      offerId: cheapA100.offerId,
      pricePerGpuSecond: 5n * 10n ** 11n,
      gpuCount: 2,
      active: false,
    });
    assert.ok(!(await listOffers(p2)).some((o) => o.id === cheapA100.offerId));
    assert.ok((await listOffers(p2, { includeInactive: true })).some((o) => o.id === cheapA100.offerId));
    await assert.rejects(
      updateOffer(net.as("provider1"), { offerId: dearH100.offerId, pricePerGpuSecond: 1n, gpuCount: 1, active: true }),
      isRevert("RegistryNotOfferOwner"),
    );
  });

  it("locks the collateral of a verified lease: no unstake below it", async () => {
    const p2 = net.as("provider2");
    const me = p2.account?.address as `0x${string}`;
    const [dearH100] = await listOffers(p2, { provider: me, minVramGb: 90 });
    assert.ok(dearH100);
    // 50M GPU-seconds at 3e12 wei: 150 XPL of value, 1,500 XPL locked at 10x of the provider's 2,000.
    await openLease(net.as("client"), {
      offerId: dearH100.id,
      gpus: 1,
      maxSeconds: 50_000_000,
      verification: "exact",
    });
    assert.equal(await getLockedCollateral(p2, me), parseEther("1500"));
    await assert.rejects(requestUnstake(p2, { amount: parseEther("501") }), (error: unknown) => {
      assert.ok(error instanceof ContractRevertError);
      assert.equal(error.errorName, "RegistryCollateralLocked");
      assert.match(error.message, /lock 1500 XPL of its backing; this would leave 1499 XPL/);
      return true;
    });
    await requestUnstake(p2, { amount: parseEther("500") });
  });
});
