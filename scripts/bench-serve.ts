// Part of `npm run bench`: a model endpoint through the provider's gateway, paid per request with vouchers,
// against the same model server called directly on its Unix socket, in the same run.
//  - throughput (requests/s) and latency (p50/p99) at BENCH_SERVE_CONCURRENCY requests in flight,
//    BENCH_SERVE_REQUESTS requests per round, rounds alternated A/B BENCH_SERVE_ROUNDS times (medians);
//  - for a short completion (16 tokens: the gateway's cost shows most) and a longer one (256 tokens);
//  - transactions per request: blocks mined during the gateway rounds (anvil mines one per transaction).
import { mkdtempSync, readFileSync } from "node:fs";
import { Agent } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildExampleModel, postCompletion } from "@plasma/model-server";
import { createLogger, loadProviderConfig, SERVE_SOCKET, startProviderNode } from "@plasma/provider";
import {
  createInferenceClient,
  createPlasmaClient,
  getJobStatus,
  getLease,
  hashJobSpec,
  listOffers,
  openChannel,
  openLease,
  parseJobSpec,
  SANDBOX_MODEL_SERVER,
  startDevnet,
  submitJobSpec,
  uploadJobInput,
} from "@plasma/sdk";
import { type Hex, parseEther } from "viem";

const REQUESTS = Number(process.env.BENCH_SERVE_REQUESTS ?? 600);
const CONCURRENCY = Number(process.env.BENCH_SERVE_CONCURRENCY ?? 8);
const ROUNDS = Number(process.env.BENCH_SERVE_ROUNDS ?? 3);

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? Number.NaN;

/** Sends `REQUESTS` requests, `CONCURRENCY` at a time; returns requests/s and each latency in ms. */
async function load(send: () => Promise<void>): Promise<{ rps: number; latencies: number[] }> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < REQUESTS) {
        const t = performance.now();
        await send();
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { rps: REQUESTS / ((performance.now() - started) / 1000), latencies };
}

const devnet = await startDevnet();
const key = (name: string) => devnet.deployment.devAccounts?.[name]?.privateKey as Hex;
const dataDir = mkdtempSync(join(tmpdir(), "plasma-bench-serve-"));
const node = await startProviderNode({
  config: loadProviderConfig(undefined, {
    dataDir,
    port: 0,
    offers: [{ pricePerGpuHour: "0.36", pricePerRequest: "0.000001", region: "local" }],
  }),
  deployment: devnet.deployment,
  privateKey: key("provider2"),
  logger: createLogger("warn"),
});
const client = createPlasmaClient({ deployment: devnet.deployment, account: key("client") });
try {
  const [offer] = await listOffers(client);
  if (!offer) throw new Error("the provider published no offer");
  // One channel per inference client: each keeps its own running total.
  const perRequest = await openChannel(client, { provider: offer.provider, amount: parseEther("100") });
  const prepaying = await openChannel(client, { provider: offer.provider, amount: parseEther("100") });
  const modelFile = join(dataDir, "bench.onnx");
  const model = await buildExampleModel(modelFile);
  const spec = parseJobSpec({
    version: 1,
    kind: "service",
    command: ["node", SANDBOX_MODEL_SERVER, "--model", "bench.onnx"],
    inputs: [{ path: "bench.onnx", sha256: model.sha256 }],
    outputs: [],
  });
  const { leaseId } = await openLease(client, {
    offerId: offer.id,
    gpus: 1,
    maxSeconds: 3600,
    specHash: hashJobSpec(spec),
    verification: "none",
  });
  const api = { client, endpoint: node.url, leaseId };
  while ((await getLease(client, leaseId)).status !== "running") await new Promise((r) => setTimeout(r, 100));
  await submitJobSpec(api, spec);
  await uploadJobInput(api, "bench.onnx", readFileSync(modelFile));
  while (!(await getJobStatus(api)).service?.ready) await new Promise((r) => setTimeout(r, 100));

  const ai = await createInferenceClient(client, { leaseId, channelId: perRequest.channelId });
  const aiPrepaid = await createInferenceClient(client, {
    leaseId,
    channelId: prepaying.channelId,
    prepayRequests: 10,
  });
  const socketPath = join(dataDir, "jobs", leaseId.toString(), "work", SERVE_SOCKET);
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const direct = (body: string) => () => postCompletion(socketPath, agent, body);
  const gateway =
    (body: string, via = ai) =>
    async () => {
      const res = await via.fetch("/v1/completions", { body });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`gateway ${res.status}`);
    };

  console.log(
    `\nModel endpoint (example ONNX model, CPU): gateway with a voucher per request vs the model server directly\n` +
      `  ${REQUESTS} requests per round, ${CONCURRENCY} in flight, ${ROUNDS} rounds each, alternated; medians`,
  );
  for (const tokens of [16, 256]) {
    const body = JSON.stringify({ prompt: "open gpu market", max_tokens: tokens, seed: 1 });
    await load(direct(body)); // warm-up: JIT, connections
    await load(gateway(body));
    await load(gateway(body, aiPrepaid));
    const runs: Record<"direct" | "gateway" | "prepaid", { rps: number; latencies: number[] }[]> = {
      direct: [],
      gateway: [],
      prepaid: [],
    };
    let blocks = 0n;
    for (let i = 0; i < ROUNDS; i++) {
      runs.direct.push(await load(direct(body)));
      const before = await client.public.getBlockNumber();
      runs.gateway.push(await load(gateway(body)));
      runs.prepaid.push(await load(gateway(body, aiPrepaid)));
      blocks += (await client.public.getBlockNumber()) - before;
    }
    const summary = (r: { rps: number; latencies: number[] }[]) => ({
      rps: pct(
        r.map((x) => x.rps),
        50,
      ),
      p50: pct(
        r.flatMap((x) => x.latencies),
        50,
      ),
      p99: pct(
        r.flatMap((x) => x.latencies),
        99,
      ),
    });
    const d = summary(runs.direct);
    const row = (name: string, s: ReturnType<typeof summary>) =>
      `    ${name.padEnd(36)} ${s.rps.toFixed(0).padStart(5)} req/s  p50 ${s.p50.toFixed(2).padStart(6)} ms  p99 ${s.p99.toFixed(2).padStart(6)} ms  ratio ${(s.rps / d.rps).toFixed(3)}`;
    console.log(
      [
        `  max_tokens ${tokens}:`,
        row("direct (model server's socket)", d),
        row("gateway, a voucher per request", summary(runs.gateway)),
        row("gateway, vouchers prepaying 10", summary(runs.prepaid)),
        `    transactions per request through the gateway: ${Number(blocks) / (2 * ROUNDS * REQUESTS)}`,
      ].join("\n"),
    );
  }
} finally {
  await node.stop();
  await client.close();
  await devnet.stop();
}
