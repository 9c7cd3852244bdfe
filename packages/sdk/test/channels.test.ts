import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  ContractRevertError,
  getChannel,
  getXplBalance,
  listChannels,
  openChannel,
  redeemVoucher,
  releaseChannel,
  requestChannelClose,
  signVoucher,
  topUpChannel,
  voucherSigner,
  withdrawChannel,
} from "@plasma/sdk";
import { type Address, parseEther } from "viem";
import { startTestNet, type TestNet } from "./helpers.ts";

const isRevert = (name: string) => (error: unknown) => error instanceof ContractRevertError && error.errorName === name;

describe("payment channels against anvil", () => {
  let net: TestNet;
  let clientAddress: Address;
  let providerAddress: Address;
  before(async () => {
    net = await startTestNet();
    clientAddress = net.as("client").account?.address as Address;
    providerAddress = net.as("provider1").account?.address as Address;
  });
  after(() => net.stop());

  it("pays a provider by vouchers signed off chain, the latest one only, and refunds the rest on close", async () => {
    const client = net.as("client");
    const provider = net.as("provider1");
    const { channelId } = await openChannel(client, { provider: providerAddress, amount: parseEther("10") });
    await topUpChannel(client, { channelId, amount: parseEther("5") });
    assert.equal((await getChannel(client, channelId)).deposit, parseEther("15"));

    // Many requests, zero transactions: each voucher carries the running total.
    const vouchers = [];
    for (let i = 1; i <= 20; i++) vouchers.push(await signVoucher(client, channelId, parseEther("0.25") * BigInt(i)));
    const latest = vouchers.at(-1);
    assert.ok(latest);
    assert.equal((await voucherSigner(provider, latest)).toLowerCase(), clientAddress.toLowerCase());

    const providerBefore = await getXplBalance(provider, providerAddress);
    const { paid } = await redeemVoucher(provider, latest);
    assert.equal(paid, parseEther("5"));
    assert.equal(
      (await getXplBalance(provider, providerAddress)) - providerBefore,
      parseEther("5") - parseEther("0.25"),
    );
    // An older voucher, or the same one again, pays nothing.
    await assert.rejects(
      redeemVoucher(provider, vouchers[4] as (typeof vouchers)[number]),
      isRevert("ChannelStaleVoucher"),
    );
    await assert.rejects(redeemVoucher(provider, latest), (error: unknown) => {
      assert.ok(isRevert("ChannelStaleVoucher")(error));
      assert.match((error as Error).message, /pays nothing: 5 XPL of channel \d+ was already redeemed/);
      return true;
    });

    await requestChannelClose(client, channelId);
    await assert.rejects(withdrawChannel(client, channelId), isRevert("ChannelChallengeNotOver"));
    await net.warp(3601);
    const clientBefore = await getXplBalance(client, clientAddress);
    const { refund } = await withdrawChannel(client, channelId);
    assert.equal(refund, parseEther("10"));
    assert.equal((await getXplBalance(client, clientAddress)) - clientBefore, parseEther("10"));
    assert.equal((await getChannel(client, channelId)).closed, true);
  });

  it("refuses vouchers not signed by the client and beyond the deposit, and lets the provider release", async () => {
    const client = net.as("client");
    const provider = net.as("provider1");
    const { channelId } = await openChannel(client, { provider: providerAddress, amount: parseEther("1") });
    const forged = await signVoucher(provider, channelId, parseEther("0.5"));
    await assert.rejects(redeemVoucher(provider, forged), isRevert("ChannelBadSignature"));
    const tooMuch = await signVoucher(client, channelId, parseEther("2"));
    await assert.rejects(redeemVoucher(provider, tooMuch), (error: unknown) => {
      assert.ok(isRevert("ChannelVoucherExceedsDeposit")(error));
      assert.match((error as Error).message, /exceeds channel \d+'s deposit of 1 XPL/);
      return true;
    });
    await redeemVoucher(provider, await signVoucher(client, channelId, parseEther("0.4")));
    const { refund } = await releaseChannel(provider, channelId);
    assert.equal(refund, parseEther("0.6"));
    const mine = await listChannels(client, clientAddress);
    assert.ok(mine.some((c) => c.id === channelId && c.closed));
    await assert.rejects(openChannel(client, { provider: providerAddress, amount: 0n }), /more than 0 XPL/);
  });
});
