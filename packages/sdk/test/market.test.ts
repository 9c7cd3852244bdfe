import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  approveXpl,
  ContractRevertError,
  cancelLease,
  claimBuilderFees,
  completeLease,
  createPlasmaClient,
  failLease,
  getBuilderBalance,
  getLease,
  getProvider,
  getXplAllowance,
  getXplBalance,
  InsufficientXplError,
  openLease,
  settleLease,
  startLease,
  stopLease,
} from "@plasma/sdk";
import { keccak256, parseEther, toHex } from "viem";
import { generatePrivateKey } from "viem/accounts";
import { publishOffer, startTestNet, type TestNet } from "./helpers.ts";

const PRICE = 1_000_000_000_000n; // 1e12 wei per GPU-second
const SPEC = keccak256(toHex("job spec"));
const RESULT = keccak256(toHex("manifest"));

describe("lease lifecycle against anvil", () => {
  let net: TestNet;
  let offerId: bigint;

  before(async () => {
    net = await startTestNet();
    offerId = await publishOffer(net, "provider1", {
      endpoint: "http://127.0.0.1:8700",
      attributes: '{"country":"DE"}',
      gpuCount: 4,
      pricePerGpuSecond: PRICE,
    });
  });
  after(() => net.stop());

  it("opens with a permit (no approve transaction), runs and completes, paying to the wei", async () => {
    const client = net.as("client");
    const provider = net.as("provider1");
    const { client: clientAddr, provider1 } = net.devnet.deployment.devAccounts ?? {};
    assert.ok(clientAddr && provider1);
    assert.equal(
      await getXplAllowance(client, clientAddr.address as `0x${string}`, client.addresses.computeMarket),
      0n,
    );
    const clientBefore = await getXplBalance(client, clientAddr.address as `0x${string}`);
    const providerBefore = await getXplBalance(client, provider1.address as `0x${string}`);

    const opened = await openLease(client, { offerId, gpus: 2, maxSeconds: 3600, specHash: SPEC });
    assert.equal(opened.escrow, PRICE * 2n * 3600n);
    const txCount = await client.public.getTransactionCount({ address: clientAddr.address as `0x${string}` });
    assert.equal(txCount, 1, "opening a lease takes exactly one transaction");

    await startLease(provider, { leaseId: opened.leaseId });
    const started = await getLease(client, opened.leaseId);
    await net.warp(99);
    const end = await completeLease(provider, { leaseId: opened.leaseId, resultHash: RESULT });
    const lease = await getLease(client, opened.leaseId);
    const used = BigInt(lease.endedAt - started.startedAt);
    assert.ok(used >= 99n && used <= 101n, `used ${used}s`);
    const gross = PRICE * 2n * used;
    const fee = (gross * 500n) / 10_000n; // 5 % default fee, no builder
    assert.equal(end.reason, "completed");
    assert.equal(end.paid, gross);
    assert.equal(end.refund, opened.escrow - gross);
    assert.equal(lease.status, "ended");
    assert.equal(lease.resultHash, RESULT);
    assert.equal(lease.specHash, SPEC);
    assert.equal(await getXplBalance(client, clientAddr.address as `0x${string}`), clientBefore - gross);
    assert.equal(await getXplBalance(client, provider1.address as `0x${string}`), providerBefore + gross - fee);
  });

  it("opens with an existing allowance, settles without the client, and pays the builder share", async () => {
    const client = net.as("client");
    const provider = net.as("provider1");
    const builder = net.devnet.deployment.devAccounts?.builder?.address as `0x${string}`;
    await approveXpl(client, { spender: client.addresses.computeMarket, amount: parseEther("100") });
    const opened = await openLease(client, { offerId, gpus: 1, maxSeconds: 1000, builder });
    await startLease(provider, { leaseId: opened.leaseId });
    await net.warp(50);
    const { gross } = await settleLease(provider, { leaseId: opened.leaseId });
    assert.ok(gross >= PRICE * 50n, "settle pays what accrued");
    const fee = (gross * 500n) / 10_000n;
    assert.equal(await getBuilderBalance(client, builder), (fee * 2_000n) / 10_000n);
    const stopped = await stopLease(client, { leaseId: opened.leaseId });
    assert.equal(stopped.reason, "stopped-by-client");
    assert.equal(stopped.paid + stopped.refund, opened.escrow, "paid + refund = escrow");
    const owed = await getBuilderBalance(client, builder);
    const claimed = await claimBuilderFees(net.as("builder"));
    assert.equal(claimed.amount, owed);
    assert.equal(await getBuilderBalance(client, builder), 0n);
  });

  it("reports a provider failure with the unsettled pay refunded", async () => {
    const client = net.as("client");
    const provider = net.as("provider1");
    const opened = await openLease(client, { offerId, gpus: 1, maxSeconds: 600 });
    await startLease(provider, { leaseId: opened.leaseId });
    await net.warp(30);
    const end = await failLease(provider, { leaseId: opened.leaseId, reason: "provider-failed" });
    assert.equal(end.reason, "provider-failed");
    assert.equal(end.paid, 0n);
    assert.equal(end.refund, opened.escrow);
  });

  it("cancels a no-show after the deadline: full refund plus a penalty from the provider's stake", async () => {
    const client = net.as("client");
    const providerAddr = net.devnet.deployment.devAccounts?.provider1?.address as `0x${string}`;
    const opened = await openLease(client, { offerId, gpus: 4, maxSeconds: 10_000 });
    await assert.rejects(cancelLease(client, { leaseId: opened.leaseId }), (error: unknown) => {
      assert.ok(error instanceof ContractRevertError);
      assert.equal(error.errorName, "MarketStartDeadlineNotPassed");
      assert.match(error.shortMessage, /cannot be cancelled before then/);
      return true;
    });
    const stakeBefore = (await getProvider(client, providerAddr)).stake;
    await net.warp(601);
    const end = await cancelLease(client, { leaseId: opened.leaseId });
    assert.equal(end.reason, "no-show");
    assert.equal(end.refund, opened.escrow);
    assert.equal(end.penalty, opened.escrow / 10n); // 1000 bps default
    assert.equal(end.compensation, end.penalty / 5n, "20 % of the penalty to the client, the rest to the treasury");
    assert.equal((await getProvider(client, providerAddr)).stake, stakeBefore - end.penalty);
    assert.equal((await getLease(client, opened.leaseId)).endReason, "no-show");
  });

  it("decodes contract errors into typed errors with readable messages", async () => {
    const client = net.as("client");
    await assert.rejects(openLease(client, { offerId: 999n, gpus: 1, maxSeconds: 10 }), (error: unknown) => {
      assert.ok(error instanceof ContractRevertError);
      assert.equal(error.errorName, "RegistryUnknownOffer");
      assert.deepEqual(error.args, [999n]);
      assert.equal(error.shortMessage, "Offer 999 does not exist.");
      return true;
    });
    await assert.rejects(
      openLease(client, { offerId, gpus: 1, maxSeconds: 10, maxPricePerGpuSecond: PRICE - 1n }),
      (error: unknown) => error instanceof ContractRevertError && error.errorName === "MarketPriceAboveMax",
    );
    await assert.rejects(
      openLease(client, { offerId, gpus: 5, maxSeconds: 10 }),
      (error: unknown) => error instanceof ContractRevertError && error.errorName === "RegistryInsufficientCapacity",
    );
    await assert.rejects(
      startLease(client, { leaseId: 1n }),
      (error: unknown) => error instanceof ContractRevertError && error.errorName === "MarketNotProvider",
    );
  });

  it("refuses a lease the client cannot pay for before sending anything", async () => {
    const poor = createPlasmaClient({ deployment: net.devnet.deployment, account: generatePrivateKey() });
    const address = poor.account?.address as `0x${string}`;
    await assert.rejects(openLease(poor, { offerId, gpus: 2, maxSeconds: 60 }), (error: unknown) => {
      assert.ok(error instanceof InsufficientXplError);
      assert.equal(error.need, PRICE * 2n * 60n);
      assert.equal(error.have, 0n);
      return true;
    });
    assert.equal(await poor.public.getTransactionCount({ address }), 0);
  });
});
