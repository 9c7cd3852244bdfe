import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  createPlasmaClient,
  type Devnet,
  encodeVoucherHeader,
  getChannel,
  openChannel,
  type PlasmaClient,
  requestChannelClose,
  signVoucher,
  startDevnet,
} from "@plasma/sdk";
import { type Address, type Hex, parseEther } from "viem";
import { ApiError } from "../src/api/errors.ts";
import { createVoucherLedger, type VoucherLedger } from "../src/payments/voucherLedger.ts";
import { openProviderDb } from "../src/state/db.ts";

const PRICE = parseEther("0.01");

const refusedWith =
  (code: string, status = 402) =>
  (error: unknown) => {
    assert.ok(error instanceof ApiError, String(error));
    assert.equal(error.code, code, error.message);
    assert.equal(error.status, status);
    return true;
  };

describe("voucher ledger: paid requests without a transaction each", () => {
  let devnet: Devnet;
  let client: PlasmaClient;
  let providerClient: PlasmaClient;
  let other: PlasmaClient;
  let provider: Address;
  let ledger: VoucherLedger;

  before(async () => {
    devnet = await startDevnet();
    const key = (name: string) => devnet.deployment.devAccounts?.[name]?.privateKey as Hex;
    client = createPlasmaClient({ deployment: devnet.deployment, account: key("client") });
    providerClient = createPlasmaClient({ deployment: devnet.deployment, account: key("provider1") });
    other = createPlasmaClient({ deployment: devnet.deployment, account: key("provider2") });
    provider = providerClient.account?.address as Address;
    // Read the channel on every request, so that a close is seen at once.
    ledger = createVoucherLedger({
      db: openProviderDb(":memory:"),
      client: providerClient,
      provider,
      channelCacheMs: 0,
    });
  });
  after(async () => {
    for (const c of [client, providerClient, other]) await c?.close();
    await devnet?.stop();
  });

  const header = async (signer: PlasmaClient, channelId: bigint, cumulative: bigint) =>
    encodeVoucherHeader(await signVoucher(signer, channelId, cumulative));

  it("serves each request whose voucher covers the running total, and refuses replays and short vouchers", async () => {
    const { channelId } = await openChannel(client, { provider, amount: parseEther("1") });
    for (let i = 1n; i <= 10n; i++) {
      const { owed } = await ledger.charge(await header(client, channelId, PRICE * i), PRICE);
      assert.equal(owed, PRICE * i);
    }
    const tenth = await header(client, channelId, PRICE * 10n);
    await assert.rejects(ledger.charge(tenth, PRICE), refusedWith("voucher-short"), "a replayed voucher pays nothing");
    await assert.rejects(
      ledger.charge(await header(client, channelId, PRICE * 10n + PRICE / 2n), PRICE),
      (error: unknown) =>
        refusedWith("voucher-short")(error) && /needs 110000000000000000 wei in all/.test((error as Error).message),
    );
    // Two requests racing with the same voucher: one is served, the other refused.
    const eleventh = await header(client, channelId, PRICE * 11n);
    const results = await Promise.allSettled([ledger.charge(eleventh, PRICE), ledger.charge(eleventh, PRICE)]);
    assert.deepEqual(results.map((r) => r.status).sort(), ["fulfilled", "rejected"]);
  });

  it("redeems the best voucher in one transaction, and only once", async () => {
    const { channelId } = await openChannel(client, { provider, amount: parseEther("1") });
    for (let i = 1n; i <= 5n; i++) await ledger.charge(await header(client, channelId, PRICE * i), PRICE);
    const redeemed = await ledger.redeemDue();
    const mine = redeemed.find((r) => r.channelId === channelId);
    assert.equal(mine?.paid, PRICE * 5n);
    assert.equal((await getChannel(client, channelId)).redeemed, PRICE * 5n);
    assert.equal(
      (await ledger.redeemDue()).find((r) => r.channelId === channelId),
      undefined,
      "nothing more is due",
    );
  });

  it("credits a request the node failed to serve: the client never pays for it, even if it was the last", async () => {
    const { channelId } = await openChannel(client, { provider, amount: parseEther("1") });
    await ledger.charge(await header(client, channelId, PRICE), PRICE);
    await ledger.charge(await header(client, channelId, PRICE * 2n), PRICE);
    assert.equal(await ledger.credit(channelId, PRICE), PRICE, "the second request failed: one is owed");
    // The next request needs only the credited total plus its price, so the client's voucher can be lower.
    const { owed } = await ledger.charge(await header(client, channelId, PRICE * 2n), PRICE);
    assert.equal(owed, PRICE * 2n);
    await ledger.charge(await header(client, channelId, PRICE * 3n), PRICE);
    await ledger.credit(channelId, PRICE);
    const mine = (await ledger.redeemDue()).find((r) => r.channelId === channelId);
    assert.equal(mine?.paid, PRICE * 2n, "the voucher of the failed last request is not redeemed");
    assert.equal((await getChannel(client, channelId)).redeemed, PRICE * 2n);
  });

  it("refuses a voucher that arrives after a larger one; the late request pays with the running total", async () => {
    const { channelId } = await openChannel(client, { provider, amount: parseEther("1") });
    const first = await header(client, channelId, PRICE);
    const second = await header(client, channelId, PRICE * 2n);
    assert.equal((await ledger.charge(second, PRICE)).owed, PRICE);
    // A voucher held for more does not make up for a short one: that is how an old voucher would spend credit.
    await assert.rejects(ledger.charge(first, PRICE), refusedWith("voucher-short"), "the late voucher no longer pays");
    assert.equal((await ledger.charge(second, PRICE)).owed, PRICE * 2n, "signed again for the running total, it does");
    await assert.rejects(ledger.charge(second, PRICE), refusedWith("voucher-short"), "but not a third request");
    const mine = (await ledger.redeemDue()).find((r) => r.channelId === channelId);
    assert.equal(mine?.paid, PRICE * 2n);
  });

  it("lets a client prepay a few requests with one voucher, and redeems no more than it signed", async () => {
    const { channelId } = await openChannel(client, { provider, amount: parseEther("1") });
    const prepaid = await header(client, channelId, PRICE * 5n);
    for (let i = 1n; i <= 5n; i++) assert.equal((await ledger.charge(prepaid, PRICE)).owed, PRICE * i);
    await assert.rejects(ledger.charge(prepaid, PRICE), refusedWith("voucher-short"), "the sixth is not prepaid");
    const next = await header(client, channelId, PRICE * 10n);
    await ledger.charge(next, PRICE);
    await ledger.charge(next, PRICE);
    const mine = (await ledger.redeemDue()).find((r) => r.channelId === channelId);
    assert.equal(
      mine?.paid,
      PRICE * 5n,
      "the largest voucher within the 7 requests served; the prepaid one stays private",
    );
    await requestChannelClose(client, channelId);
    const closing = (await ledger.redeemDue()).find((r) => r.channelId === channelId);
    assert.equal(
      closing?.paid,
      PRICE * 5n,
      "on a closing channel, the voucher covering what is owed: what was prepaid",
    );
    assert.equal((await getChannel(client, channelId)).redeemed, PRICE * 10n);
  });

  it("refuses an old voucher replayed after the client prepaid: only the presented voucher can pay", async () => {
    const { channelId } = await openChannel(client, { provider, amount: parseEther("1") });
    const first = await header(client, channelId, PRICE);
    await ledger.charge(first, PRICE);
    // The client prepays four more requests with its next voucher and uses one of them.
    const prepaid = await header(client, channelId, PRICE * 5n);
    assert.equal((await ledger.charge(prepaid, PRICE)).owed, PRICE * 2n);
    // Anyone holding the first voucher (it was on the wire, or on chain once redeemed) tries to spend the credit.
    await assert.rejects(
      ledger.charge(first, PRICE),
      (error: unknown) => refusedWith("voucher-short")(error) && /covers 10000000000000000 wei/.test(String(error)),
      "an old voucher pays nothing, however much credit the channel has",
    );
    assert.equal((await ledger.charge(prepaid, PRICE)).owed, PRICE * 3n, "the client's credit is intact");
  });

  it("publishes no voucher that still holds prepaid credit: a voucher copied from a redeem transaction pays nothing", async () => {
    const { channelId } = await openChannel(client, { provider, amount: parseEther("1") });
    await ledger.charge(await header(client, channelId, PRICE), PRICE);
    const prepaid = await header(client, channelId, PRICE * 5n);
    await ledger.charge(prepaid, PRICE);
    await ledger.charge(prepaid, PRICE);
    // Three requests served; the prepaid voucher for five stays private until the client has used it up.
    const mine = (await ledger.redeemDue()).find((r) => r.channelId === channelId);
    assert.equal(mine?.paid, PRICE, "the largest voucher within what is owed is redeemed, not the prepaid one");
    const onChain = await getChannel(client, channelId);
    const copied = await header(client, channelId, onChain.redeemed); // the same bytes as the redeem transaction's
    await assert.rejects(ledger.charge(copied, PRICE), refusedWith("voucher-short"), "the public voucher pays nothing");
    assert.equal((await ledger.charge(prepaid, PRICE)).owed, PRICE * 4n);
    assert.equal((await ledger.charge(prepaid, PRICE)).owed, PRICE * 5n, "the client spends its own credit");
    assert.equal((await ledger.redeemDue()).find((r) => r.channelId === channelId)?.paid, PRICE * 4n);
    assert.equal((await getChannel(client, channelId)).redeemed, PRICE * 5n);
  });

  it("takes payment only from the lease's client when one is named", async () => {
    const { channelId } = await openChannel(client, { provider, amount: parseEther("1") });
    await assert.rejects(
      ledger.charge(await header(client, channelId, PRICE), PRICE, other.account?.address as Address),
      refusedWith("not-the-lease-client"),
    );
    const { owed } = await ledger.charge(await header(client, channelId, PRICE), PRICE, client.account?.address);
    assert.equal(owed, PRICE);
  });

  it("refuses vouchers that are missing, malformed, forged, for another provider, beyond the deposit or on a closing channel", async () => {
    const { channelId } = await openChannel(client, { provider, amount: parseEther("0.05") });
    await assert.rejects(ledger.charge(undefined, PRICE), refusedWith("voucher-required"));
    await assert.rejects(ledger.charge("3:100:0xdead", PRICE), refusedWith("malformed-voucher", 400));
    await assert.rejects(
      ledger.charge(await header(providerClient, channelId, PRICE), PRICE),
      refusedWith("wrong-signer"),
    );
    const foreign = await openChannel(client, { provider: other.account?.address as Address, amount: parseEther("1") });
    await assert.rejects(
      ledger.charge(await header(client, foreign.channelId, PRICE), PRICE),
      refusedWith("wrong-provider"),
    );
    await assert.rejects(
      ledger.charge(await header(client, channelId, parseEther("0.06")), PRICE),
      refusedWith("exceeds-deposit"),
    );
    await assert.rejects(ledger.charge(await header(client, 999n, PRICE), PRICE), refusedWith("unknown-channel"));
    await requestChannelClose(client, channelId);
    await assert.rejects(ledger.charge(await header(client, channelId, PRICE), PRICE), refusedWith("channel-closing"));
  });
});
