// The HTTP API over a real index of a seeded devnet: every endpoint with good and bad parameters.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FastifyInstance } from "fastify";
import pino from "pino";
import type { z } from "zod";
import { startTestNet, type TestNet } from "../../sdk/test/helpers.ts";
import * as schemas from "../src/api/schemas.ts";
import { createApiServer } from "../src/api/server.ts";
import type {
  ApiErrorBody,
  GpuModelSummary,
  LeaseDetail,
  LeasePage,
  NetworkInfo,
  NetworkStats,
  OfferPage,
  PriceIndex,
  ProposalDetail,
  ProposalPage,
  ProviderDetail,
  ProviderPage,
  Supply,
} from "../src/api/types.ts";
import type { Database } from "../src/db/database.ts";
import { freshIndex } from "./helpers.ts";
import { seedMarket, seedNetwork } from "./scenario.ts";

describe("HTTP API", () => {
  let net: TestNet;
  let db: Database;
  let app: FastifyInstance;
  let seeded: Awaited<ReturnType<typeof seedMarket>>;
  let proposalId: bigint;
  let provider1: string;

  before(async () => {
    net = await startTestNet();
    seeded = await seedMarket(net);
    ({ proposalId } = await seedNetwork(net));
    provider1 = net.devnet.deployment.devAccounts?.provider1?.address as string;
    db = await freshIndex(net.devnet.deployment);
    app = await createApiServer({
      db,
      deployment: net.devnet.deployment,
      status: () => ({ block: 1, headBlock: 1, syncedAt: 1, lastError: null }),
      logger: pino({ level: "silent" }),
    });
  });
  after(async () => {
    await app?.close();
    await db?.close();
    await net?.stop();
  });

  async function get<T>(url: string, status = 200): Promise<T> {
    const response = await app.inject({ method: "GET", url });
    assert.equal(response.statusCode, status, `${url}: ${response.body}`);
    return response.json() as T;
  }
  async function refused(url: string, status: number, code: string, message: RegExp) {
    const body = await get<ApiErrorBody>(url, status);
    assert.equal(body.error.code, code);
    assert.match(body.error.message, message);
  }

  it("network: chain, contracts, dev accounts without their keys", async () => {
    const info = await get<NetworkInfo>("/api/v1/network");
    assert.equal(info.chainId, 31337);
    assert.equal(info.contracts.computeMarket, net.devnet.deployment.contracts.computeMarket);
    assert.ok(info.devAccounts.some((a) => a.name === "client"));
    assert.doesNotMatch(JSON.stringify(info), /privateKey/);
  });

  it("offers: filters, sorts and pages", async () => {
    const all = await get<OfferPage>("/api/v1/offers");
    assert.equal(all.total, 3);
    assert.deepEqual(
      all.offers.map((o) => o.pricePerGpuHourXpl),
      ["1.2", "2.5", "3"],
      "cheapest first by default",
    );
    const h100 = await get<OfferPage>("/api/v1/offers?gpuModel=h100&sort=-price");
    assert.deepEqual(
      h100.offers.map((o) => Number(o.id)),
      [Number(seeded.offers.h100b), Number(seeded.offers.h100)],
    );
    const cheap = await get<OfferPage>("/api/v1/offers?gpuModel=H100&maxPricePerGpuHour=2.6");
    assert.deepEqual(
      cheap.offers.map((o) => o.id),
      [Number(seeded.offers.h100)],
    );
    assert.equal((await get<OfferPage>("/api/v1/offers?region=US")).total, 1);
    assert.equal((await get<OfferPage>("/api/v1/offers?minVramGb=80")).total, 2);
    assert.equal((await get<OfferPage>(`/api/v1/offers?provider=${provider1.toLowerCase()}`)).total, 2);
    assert.equal((await get<OfferPage>("/api/v1/offers?minFreeGpus=4")).total, 1);
    assert.equal((await get<OfferPage>("/api/v1/offers?minReputation=0.9")).total, 0);
    const page2 = await get<OfferPage>("/api/v1/offers?limit=2&offset=2");
    assert.deepEqual([page2.offers.length, page2.total], [1, 3]);
    const past = await get<OfferPage>("/api/v1/offers?limit=2&offset=10");
    assert.deepEqual([past.offers.length, past.total], [0, 3]);
  });

  it("offers: bad parameters are 400s that name the parameter", async () => {
    await refused("/api/v1/offers?sort=cheapest", 400, "bad-parameter", /sort: .*price/);
    await refused("/api/v1/offers?limit=1000", 400, "bad-parameter", /limit: .*200/);
    await refused("/api/v1/offers?maxPricePerGpuHour=-1", 400, "bad-parameter", /maxPricePerGpuHour: .*decimal/);
    await refused("/api/v1/offers?provider=0x123", 400, "bad-parameter", /provider: .*address/);
    await refused("/api/v1/offers?minReputation=2", 400, "bad-parameter", /minReputation/);
    await refused("/api/v1/offers?includeInactive=yes", 400, "bad-parameter", /includeInactive/);
  });

  it("GPU models, price index and supply over time", async () => {
    const { gpuModels } = await get<{ gpuModels: GpuModelSummary[] }>("/api/v1/gpu-models");
    assert.deepEqual(
      gpuModels.map((m) => [m.gpuModel, m.offers, m.gpus, m.minPricePerGpuHourXpl]),
      [
        ["A100", 1, 4, "1.2"],
        ["H100", 2, 10, "2.5"],
      ],
    );
    const index = await get<PriceIndex>("/api/v1/price-index?gpuModel=H100&points=10");
    assert.equal(index.points.length, 10);
    assert.equal(index.points.at(-1)?.minXpl, "2.5");
    assert.deepEqual(index.points.at(-1)?.offers, 2);
    const supply = await get<Supply>("/api/v1/supply?points=10");
    const last = supply.points.at(-1);
    assert.deepEqual([last?.gpus, last?.gpusInUse], [14, 1]);
    assert.ok(
      supply.points.some((p) => p.gpusInUse === 2),
      "the completed lease held two GPUs earlier",
    );
    const all = await get<PriceIndex>("/api/v1/price-index?from=0&points=5");
    const genesis = Number((await net.as("client").public.getBlock({ blockNumber: 0n })).timestamp);
    assert.ok((all.points[0]?.t ?? 0) >= genesis, "from=0 starts at the first indexed block, not in 1970");
    await refused("/api/v1/price-index?points=1", 400, "bad-parameter", /points/);
    await refused("/api/v1/supply?from=200&to=100", 400, "bad-range", /from \(200\) must be before to \(100\)/);
  });

  it("providers: list, detail with delegations and leases, unknown and malformed addresses", async () => {
    const page = await get<ProviderPage>("/api/v1/providers?sort=stake");
    assert.deepEqual(
      page.providers.map((p) => p.stakeXpl),
      ["5000", "2000"],
    );
    const detail = await get<ProviderDetail>(`/api/v1/providers/${provider1.toLowerCase()}`);
    assert.equal(detail.address, provider1);
    assert.equal(detail.delegatedXpl, "1000");
    assert.equal(detail.delegations.length, 1);
    assert.equal(detail.offersList.length, 2);
    assert.equal(detail.recentLeases.length, 2);
    assert.equal(detail.reputation.completed, 1);
    assert.ok(Number(detail.earnedXpl) > 0);
    await refused(`/api/v1/providers/0x${"11".repeat(20)}`, 404, "not-found", /No provider 0x1111/);
    await refused("/api/v1/providers/bob", 400, "bad-parameter", /address/);
    await refused("/api/v1/providers?sort=best", 400, "bad-parameter", /sort/);
  });

  it("leases: lists by client and state, a timeline per lease", async () => {
    const client = net.devnet.deployment.devAccounts?.client?.address as string;
    const mine = await get<LeasePage>(`/api/v1/leases?client=${client}`);
    assert.equal(mine.total, 2);
    const running = await get<LeasePage>("/api/v1/leases?state=running");
    assert.deepEqual(
      running.leases.map((l) => l.id),
      [Number(seeded.leases.running)],
    );
    const lease = await get<LeaseDetail>(`/api/v1/leases/${seeded.leases.done}`);
    assert.deepEqual(
      lease.timeline.map((e) => e.name),
      ["LeaseOpened", "LeaseStarted", "LeaseSettled", "LeaseEnded"],
    );
    assert.equal(lease.endReason, "completed");
    assert.ok(lease.settlement && Number(lease.settlement.grossXpl) > 0);
    assert.equal(lease.gpuModel, "H100");
    await refused("/api/v1/leases/999", 404, "not-found", /No lease 999/);
    await refused("/api/v1/leases/zero", 400, "bad-parameter", /id/);
    await refused("/api/v1/leases?state=done", 400, "bad-parameter", /state/);
  });

  it("stats and governance proposals with their votes", async () => {
    const stats = await get<NetworkStats>("/api/v1/stats");
    assert.deepEqual(
      [stats.providers, stats.activeOffers, stats.gpus, stats.leases.total, stats.validators, stats.proposals],
      [2, 3, 14, 2, 1, 1],
    );
    assert.equal(stats.stakedXpl, "7000");
    const { proposals } = await get<ProposalPage>("/api/v1/proposals");
    assert.equal(proposals.length, 1);
    assert.equal(proposals[0]?.state, "active");
    const detail = await get<ProposalDetail>(`/api/v1/proposals/${proposalId}`);
    assert.equal(detail.description, "Lower the protocol fee to 4 %");
    assert.equal(detail.votes.length, 1);
    assert.equal(detail.votes[0]?.support, "for");
    assert.equal(detail.forVotes, detail.votes[0]?.weight);
    assert.equal(detail.actions.length, 1);
    await refused("/api/v1/proposals/12345", 404, "not-found", /No proposal 12345/);
    await refused("/api/v1/proposals/abc", 400, "bad-parameter", /proposal id/);
  });

  it("answers exactly what its OpenAPI schemas describe", async () => {
    const client = net.devnet.deployment.devAccounts?.client?.address as string;
    const cases: [string, z.ZodType][] = [
      ["/api/v1/network", schemas.networkInfoSchema],
      ["/api/v1/offers?includeInactive=true", schemas.offerPageSchema],
      ["/api/v1/gpu-models", schemas.gpuModelsSchema],
      ["/api/v1/price-index?points=5", schemas.priceIndexSchema],
      ["/api/v1/supply?points=5", schemas.supplySchema],
      ["/api/v1/providers", schemas.providerPageSchema],
      [`/api/v1/providers/${provider1}`, schemas.providerDetailSchema],
      [`/api/v1/leases?client=${client}`, schemas.leasePageSchema],
      [`/api/v1/leases/${seeded.leases.done}`, schemas.leaseDetailSchema],
      ["/api/v1/stats", schemas.networkStatsSchema],
      ["/api/v1/proposals", schemas.proposalPageSchema],
      [`/api/v1/proposals/${proposalId}`, schemas.proposalDetailSchema],
      ["/api/v1/offers?sort=nope", schemas.apiErrorSchema],
      ["/api/v1/leases/999", schemas.apiErrorSchema],
    ];
    for (const [url, schema] of cases) {
      const body = (await app.inject({ method: "GET", url })).json();
      const parsed = schema.safeParse(body);
      assert.ok(parsed.success, `${url}: ${parsed.error?.message}`);
      // Nothing undocumented either: what the schema keeps is the whole body.
      assert.deepEqual(parsed.data, body, `${url} sends fields its schema does not describe`);
    }
  });

  it("describes itself in OpenAPI, and answers unknown paths with a JSON 404", async () => {
    const doc = await get<{ openapi: string; paths: Record<string, unknown> }>("/api/openapi.json");
    assert.match(doc.openapi, /^3\./);
    for (const path of ["/api/v1/offers", "/api/v1/price-index", "/api/v1/leases/{id}", "/api/v1/proposals/{id}"]) {
      assert.ok(doc.paths[path], `${path} is described`);
    }
    const offers = doc.paths["/api/v1/offers"] as {
      get: { responses: Record<string, unknown>; parameters: { name: string }[] };
    };
    assert.ok(offers.get.responses["200"] && offers.get.responses["400"], "answers and errors are described");
    assert.ok(offers.get.parameters.some((p) => p.name === "maxPricePerGpuHour"));
    await refused("/api/v1/nothing", 404, "no-such-endpoint", /see \/api\/docs/);
  });
});
