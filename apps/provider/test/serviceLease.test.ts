import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { buildExampleModel } from "@plasma/model-server";
import {
  createInferenceClient,
  createPlasmaClient,
  type Devnet,
  encodeVoucherHeader,
  getChannel,
  getJobStatus,
  getLease,
  getProtocolParameters,
  getXplBalance,
  hashJobSpec,
  type InferenceClient,
  type JobStatus,
  listOffers,
  openChannel,
  openLease,
  type PlasmaClient,
  ProviderApiError,
  parseJobSpec,
  requestChannelClose,
  SANDBOX_MODEL_SERVER,
  signVoucher,
  startDevnet,
  stopJob,
  submitJobSpec,
  uploadJobInput,
  VOUCHER_HEADER,
  withdrawChannel,
} from "@plasma/sdk";
import { type Address, createTestClient, type Hex, http, parseEther } from "viem";
import { loadProviderConfig } from "../src/config.ts";
import { createLogger } from "../src/logger.ts";
import { type ProviderNode, startProviderNode } from "../src/service.ts";
import { until } from "./until.ts";

const PRICE = parseEther("0.001");
/** The model's file name is this test's own, so that killing "its" model server kills no other test's. */
const MODEL_NAME = "service-lease-test.onnx";

const refusedWith = (code: string, status: number) => (error: unknown) => {
  assert.ok(error instanceof ProviderApiError, String(error));
  assert.equal(error.code, code, error.message);
  assert.equal(error.status, status);
  return true;
};

describe("service lease: a model endpoint paid per request with vouchers", () => {
  let devnet: Devnet;
  let node: ProviderNode;
  let client: PlasmaClient;
  let stranger: PlasmaClient;
  let provider: Address;
  let treasury: Address;
  let feeBps: bigint;
  let leaseId: bigint;
  let channelId: bigint;
  let ai: InferenceClient;
  let served = 0n;
  let start: { client: bigint; provider: bigint; treasury: bigint };

  const balances = async () => ({
    client: await getXplBalance(client, client.account?.address as Address),
    provider: await getXplBalance(client, provider),
    treasury: await getXplBalance(client, treasury),
  });
  const api = () => ({ client, endpoint: node.url, leaseId });
  const completion = (prompt: string, extra: object = {}) =>
    ai.fetch("/v1/completions", { body: JSON.stringify({ prompt, max_tokens: 16, seed: 1, ...extra }) });

  before(async () => {
    devnet = await startDevnet();
    const key = (name: string) => devnet.deployment.devAccounts?.[name]?.privateKey as Hex;
    node = await startProviderNode({
      config: loadProviderConfig(undefined, {
        dataDir: mkdtempSync(join(tmpdir(), "plasma-svc-")),
        port: 0,
        offers: [{ pricePerGpuHour: "0.36", pricePerRequest: "0.001", region: "local" }],
        // Redeem only what a closing channel owes, every second: the test sees exactly one redemption.
        payments: { redeemEverySeconds: 1, redeemMinimumXpl: "1000" },
      }),
      deployment: devnet.deployment,
      privateKey: key("provider2"),
      logger: createLogger("warn"),
    });
    client = createPlasmaClient({ deployment: devnet.deployment, account: key("client") });
    stranger = createPlasmaClient({ deployment: devnet.deployment, account: key("provider1") });
    provider = createPlasmaClient({ deployment: devnet.deployment, account: key("provider2") }).account
      ?.address as Address;
    const params = await getProtocolParameters(client);
    treasury = params.treasury;
    feeBps = BigInt(params.protocolFeeBps);
    start = await balances();
  });

  after(async () => {
    await node?.stop();
    for (const c of [client, stranger]) await c?.close();
    await devnet?.stop();
  });

  it("deploys the example ONNX model as a service lease and serves it once its health check answers", async () => {
    const [offer] = await listOffers(client, { provider });
    assert.equal(offer?.pricePerRequest, PRICE, "the offer declares its price per request on chain");
    ({ channelId } = await openChannel(client, { provider, amount: parseEther("1") }));
    const modelFile = join(mkdtempSync(join(tmpdir(), "plasma-model-")), MODEL_NAME);
    const model = await buildExampleModel(modelFile);
    const spec = parseJobSpec({
      version: 1,
      kind: "service",
      command: ["node", SANDBOX_MODEL_SERVER, "--model", MODEL_NAME],
      inputs: [{ path: MODEL_NAME, sha256: model.sha256 }],
      outputs: [],
      service: { startupSeconds: 60, maxRestarts: 3 },
    });
    ({ leaseId } = await openLease(client, {
      offerId: offer.id,
      gpus: 1,
      maxSeconds: 3600,
      specHash: hashJobSpec(spec),
      verification: "none",
    }));
    await until("the lease to start", async () =>
      (await getLease(client, leaseId)).status === "running" ? 1 : undefined,
    );
    await submitJobSpec(api(), spec);
    await uploadJobInput(api(), MODEL_NAME, readFileSync(modelFile));
    const status = await until("the model server to be ready", async () => {
      const s = await getJobStatus(api());
      return s.service?.ready ? s : undefined;
    });
    assert.equal(status.state, "running");
    ai = await createInferenceClient(client, { leaseId });
    assert.equal(ai.channelId, channelId, "pays with the client's open channel to the provider");
    assert.equal(ai.pricePerRequest, PRICE);
  });

  it("serves many paid requests, sequential and concurrent, with no transaction each", async () => {
    const blockBefore = await client.public.getBlockNumber();
    const first = await completion("open gpu market");
    assert.equal(first.status, 200);
    const body = (await first.json()) as { choices: { text: string }[]; usage: { completion_tokens: number } };
    assert.equal(body.usage.completion_tokens, 16);
    assert.equal(first.headers.get("x-plasma-charged"), PRICE.toString());
    served++;
    for (let i = 0; i < 9; i++) {
      const r = await completion(`request ${i}`);
      assert.equal(r.status, 200);
      await r.arrayBuffer();
      served++;
    }
    // Concurrent requests sign distinct running totals; one overtaken by a later one no longer covers the total,
    // and the inference client signs the total again: all are served, whatever order they arrive in.
    const batch = await Promise.all(Array.from({ length: 10 }, (_, i) => completion(`concurrent ${i}`)));
    for (const r of batch) {
      assert.equal(r.status, 200);
      await r.arrayBuffer();
      served++;
    }
    const last = await completion("the total");
    assert.equal(last.headers.get("x-plasma-owed"), ((served + 1n) * PRICE).toString());
    await last.arrayBuffer();
    served++;
    assert.equal(ai.owed, served * PRICE);
    assert.equal(await client.public.getBlockNumber(), blockBefore, "not one transaction for all those requests");
  });

  it("streams a response chunk by chunk through the gateway", async () => {
    // 512 events of about 200 bytes: more than one socket read can carry, however fast the model is.
    const r = await completion("stream", { stream: true, max_tokens: 512 });
    assert.equal(r.status, 200);
    assert.match(r.headers.get("content-type") ?? "", /text\/event-stream/);
    const decoder = new TextDecoder();
    let text = "";
    let reads = 0;
    for await (const chunk of r.body as ReadableStream<Uint8Array>) {
      reads++;
      text += decoder.decode(chunk, { stream: true }); // an event may span two reads
    }
    const events = text.split("\n\n").filter(Boolean);
    served++;
    assert.equal(events.at(-1), "data: [DONE]");
    assert.equal(events.length, 512 + 2, "one event per token, the final one and [DONE]");
    assert.ok(reads > 1, "the body arrived in more than one piece");
  });

  it("refuses requests without a voucher that covers the running total, naming the problem", async () => {
    const url = `${node.url}/v1/leases/${leaseId}/serve/v1/models`;
    const send = async (header?: string) => {
      const r = await fetch(url, { headers: header ? { [VOUCHER_HEADER]: header } : {} });
      return { status: r.status, body: (await r.json()) as { error: { code: string; message: string } } };
    };
    const owed = served * PRICE;
    const voucher = async (signer: PlasmaClient, channel: bigint, amount: bigint) =>
      encodeVoucherHeader(await signVoucher(signer, channel, amount));
    assert.equal((await send()).body.error.code, "voucher-required");
    assert.equal((await send("not-a-voucher")).status, 400);
    const short = await send(await voucher(client, channelId, owed + PRICE / 2n));
    assert.equal(short.status, 402);
    assert.equal(short.body.error.code, "voucher-short");
    assert.match(short.body.error.message, new RegExp(`needs ${owed + PRICE} wei in all`));
    // The last voucher the client signed, sent again byte for byte: it has already paid for its request.
    const replayed = await send(await voucher(client, channelId, owed));
    assert.equal(replayed.body.error.code, "voucher-short");
    assert.equal((await send(await voucher(stranger, channelId, owed + PRICE))).body.error.code, "wrong-signer");
    const foreign = await openChannel(stranger, { provider, amount: parseEther("0.1") });
    const theirs = await send(await voucher(stranger, foreign.channelId, PRICE));
    assert.equal(theirs.body.error.code, "not-the-lease-client", "another client's channel cannot pay for this lease");
    const ok = await completion("still counting from the right total");
    assert.equal(ok.headers.get("x-plasma-owed"), (owed + PRICE).toString(), "the refusals charged nothing");
    await ok.arrayBuffer();
    served++;
    // The client prepays two requests with one voucher; the voucher it signed before, replayed, pays nothing.
    const lastSigned = await voucher(client, channelId, served * PRICE);
    const prepaid = await voucher(client, channelId, (served + 2n) * PRICE);
    assert.equal((await send(prepaid)).status, 200);
    const replay = await send(lastSigned);
    assert.equal(replay.status, 402, "an old voucher cannot spend the client's prepaid credit");
    assert.equal(replay.body.error.code, "voucher-short");
    assert.equal((await send(prepaid)).status, 200, "the credit is the client's to use");
    served += 2n;
    ai = await createInferenceClient(client, { leaseId, signedUpTo: served * PRICE });
  });

  it("restarts a crashed model server, and charges nothing for the requests it could not serve", async () => {
    const before = (await getJobStatus(api())).service?.restarts ?? 0;
    const killed = spawnSync("pkill", ["-KILL", "-f", `server.ts --model ${MODEL_NAME}`]);
    assert.equal(killed.status, 0, "the model server process was found and killed");
    await assert.rejects(completion("during the crash"), (error: unknown) => {
      assert.ok(error instanceof ProviderApiError);
      assert.ok(["model-server-unreachable", "service-not-ready"].includes(error.code), error.code);
      return true;
    });
    assert.equal(ai.owed, served * PRICE, "the failed request is not counted");
    const status = await until<JobStatus>("the restarted server to be ready", async () => {
      const s = await getJobStatus(api());
      return s.service?.ready && s.service.restarts > before ? s : undefined;
    });
    assert.equal(status.service?.restarts, before + 1);
    const after = await completion("after the restart");
    assert.equal(after.status, 200);
    assert.equal(after.headers.get("x-plasma-owed"), ((served + 1n) * PRICE).toString());
    await after.arrayBuffer();
    served++;
  });

  it("ends with the lease; closing the channel pays the provider exactly what was served, to the wei", async () => {
    await stopJob(api());
    const lease = await until("the lease to end", async () => {
      const l = await getLease(client, leaseId);
      return l.status === "ended" ? l : undefined;
    });
    await assert.rejects(completion("too late"), refusedWith("service-ended", 410));
    const atLeaseEnd = await balances();
    assert.equal(atLeaseEnd.client, start.client - parseEther("1") - lease.paid, "deposit and GPU time");

    await requestChannelClose(client, channelId);
    const channel = await until("the provider to redeem during the challenge period", async () => {
      const c = await getChannel(client, channelId);
      return c.redeemed > 0n ? c : undefined;
    });
    assert.equal(channel.redeemed, served * PRICE, "one redemption for every request served, and no more");
    const params = await getProtocolParameters(client);
    const test = createTestClient({ mode: "anvil", transport: http(devnet.deployment.rpcUrl) });
    await test.increaseTime({ seconds: Number(params.challengePeriod) + 1 });
    await test.mine({ blocks: 1 });
    await withdrawChannel(client, channelId);
    const end = await balances();
    const fee = (channel.redeemed * feeBps) / 10_000n;
    assert.equal(end.client - atLeaseEnd.client, parseEther("1") - served * PRICE, "the unspent deposit comes back");
    assert.equal(end.provider - atLeaseEnd.provider, served * PRICE - fee, "the provider is paid for each request");
    assert.equal(end.treasury - atLeaseEnd.treasury, fee, "the protocol fee goes to the treasury");
    assert.equal(end.client - start.client, -(lease.paid + served * PRICE), "the client paid GPU time and requests");
  });
});
