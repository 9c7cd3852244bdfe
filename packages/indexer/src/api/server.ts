// The HTTP API (Fastify, parameters validated with zod and described in OpenAPI at /api/openapi.json,
// browsable at /api/docs) and, when given a built web app, the app itself with a fallback to its
// index.html for client-side routes.
import { existsSync } from "node:fs";
import fastifyStatic from "@fastify/static";
import fastifySwagger from "@fastify/swagger";
import fastifySwaggerUi from "@fastify/swagger-ui";
import type { Deployment } from "@plasma/sdk";
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  validatorCompiler,
  type ZodTypeProvider,
} from "fastify-type-provider-zod";
import type { Logger } from "pino";
import { getAddress, isAddress } from "viem";
import { z } from "zod";
import type { Queryable } from "../db/database.ts";
import type { IndexerStatus } from "../sync/indexer.ts";
import { getLease, listLeases } from "./queries/leases.ts";
import { gpuModels, indexedTimes, priceIndex, supply } from "./queries/market.ts";
import { getProposal, listProposals, networkStats } from "./queries/network.ts";
import { searchOffers } from "./queries/offers.ts";
import { getProvider, listProviders, PROVIDER_SORTS } from "./queries/providers.ts";
import {
  apiErrorSchema,
  gpuModelsSchema,
  leaseDetailSchema,
  leasePageSchema,
  networkInfoSchema,
  networkStatsSchema,
  offerPageSchema,
  priceIndexSchema,
  proposalDetailSchema,
  proposalPageSchema,
  providerDetailSchema,
  providerPageSchema,
  supplySchema,
} from "./schemas.ts";
import { type ApiErrorBody, LEASE_STATES, type NetworkInfo, OFFER_SORTS } from "./types.ts";

export type ApiServerOptions = {
  db: Queryable;
  deployment: Deployment;
  status: () => IndexerStatus;
  logger: Logger;
  /** The built web app (apps/web/dist) to serve at `/`; absent: the API only. */
  webDir?: string | undefined;
};

class ApiError extends Error {
  readonly statusCode: number;
  readonly code: string;
  constructor(statusCode: number, code: string, message: string) {
    super(message);
    this.statusCode = statusCode;
    this.code = code;
  }
}

const address = z
  .string()
  .refine(isAddress, "must be a 0x-prefixed 20-byte hex address")
  .transform((a) => getAddress(a));
const paging = {
  limit: z.coerce.number().int().min(1).max(200).default(20).describe("rows per page (1–200)"),
  offset: z.coerce.number().int().min(0).default(0).describe("rows to skip"),
};
const decimal = z
  .string()
  .regex(/^\d+(\.\d{1,18})?$/, "must be a decimal number of XPL such as 2.5")
  .describe("XPL, a decimal string");
/** A route's answers for OpenAPI: the body of a 200, and the error body of everything else. */
const responses = <T extends z.ZodType>(ok: T) => ({
  200: ok,
  400: apiErrorSchema,
  404: apiErrorSchema,
  500: apiErrorSchema,
});
const flag = z.enum(["true", "false"]).transform((v) => v === "true");
const seriesQuery = z.object({
  gpuModel: z.string().min(1).max(64).optional().describe("GPU model, case-insensitive; all models when absent"),
  from: z.coerce
    .number()
    .int()
    .min(0)
    .optional()
    .describe("unix seconds; default: 24 h before `to`; never before the first indexed block (0: all)"),
  to: z.coerce.number().int().min(0).optional().describe("unix seconds; default: the newest indexed block's time"),
  points: z.coerce.number().int().min(2).max(500).default(60).describe("points in the series (2–500)"),
});
const offersQuery = z.object({
  gpuModel: z.string().min(1).max(64).optional().describe("GPU model, case-insensitive, e.g. H100"),
  minVramGb: z.coerce.number().int().min(0).optional(),
  maxPricePerGpuHour: decimal.optional(),
  region: z.string().min(1).max(64).optional(),
  minReputation: z.coerce.number().min(0).max(1).optional().describe("0..1"),
  minFreeGpus: z.coerce.number().int().min(0).optional(),
  provider: address.optional(),
  includeInactive: flag.optional().describe("also list paused offers and those that failed a hardware check"),
  sort: z.enum(OFFER_SORTS).default("price"),
  ...paging,
});

/** Builds the API server (not listening yet). */
export async function createApiServer(options: ApiServerOptions): Promise<FastifyInstance> {
  const { db, deployment } = options;
  const webDir = options.webDir && existsSync(options.webDir) ? options.webDir : undefined;
  const app = Fastify({ loggerInstance: options.logger as FastifyBaseLogger });
  app.setValidatorCompiler(validatorCompiler);
  // Answers are serialised as they are: the response schemas describe them in OpenAPI (and the tests check
  // every answer against them) without a second pass over each body on the way out.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: "Plasma market API",
        version: "1",
        description: "The Plasma compute market as indexed from its contracts' events. Amounts are XPL.",
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: "/api/docs" });

  app.setErrorHandler((error, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(error)) {
      const issues = error.validation.map((v) => {
        const path = v.instancePath.replace(/^\//, "").replaceAll("/", ".") || "request";
        return `${path}: ${v.message}`;
      });
      return reply
        .code(400)
        .send(errorBody("bad-parameter", `${issues.join("; ")} (see /api/docs for the parameters).`));
    }
    if (error instanceof ApiError) return reply.code(error.statusCode).send(errorBody(error.code, error.message));
    request.log.error({ err: error, url: request.url }, "API request failed");
    return reply.code(500).send(errorBody("internal", "The indexer could not answer; see its log."));
  });

  const api = app.withTypeProvider<ZodTypeProvider>();
  // Series end at chain time by default and never start before the first indexed block: `from=0` is "all".
  const defaultRange = async (q: z.infer<typeof seriesQuery>) => {
    const { first, last } = await indexedTimes(db);
    const to = q.to ?? last ?? Math.floor(Date.now() / 1000);
    let from = q.from ?? to - 86_400;
    if (first !== null && from < first && first < to) from = first;
    if (from >= to) throw new ApiError(400, "bad-range", `from (${from}) must be before to (${to}).`);
    return { gpuModel: q.gpuModel, from, to, points: q.points };
  };

  api.get(
    "/api/v1/network",
    { schema: { description: "Chain, contracts and indexer progress", response: responses(networkInfoSchema) } },
    async () => {
      const s = options.status();
      const info: NetworkInfo = {
        chainId: deployment.chainId,
        rpcUrl: deployment.rpcUrl,
        deployer: deployment.deployer,
        deployedAtBlock: deployment.deployedAtBlock,
        contracts: deployment.contracts,
        devAccounts: Object.entries(deployment.devAccounts ?? {}).map(([name, a]) => ({ name, address: a.address })),
        indexer: {
          block: s.block,
          headBlock: s.headBlock,
          lagBlocks: s.headBlock === null ? null : Math.max(0, s.headBlock - s.block),
          syncedAt: s.syncedAt,
        },
      };
      return info;
    },
  );
  api.get(
    "/api/v1/offers",
    { schema: { description: "Search offers", response: responses(offerPageSchema), querystring: offersQuery } },
    async (request) => searchOffers(db, request.query),
  );
  api.get(
    "/api/v1/gpu-models",
    { schema: { description: "GPU models on offer now", response: responses(gpuModelsSchema) } },
    async () => ({
      gpuModels: await gpuModels(db),
    }),
  );
  api.get(
    "/api/v1/price-index",
    {
      schema: {
        description: "Minimum and median GPU-hour price over time",
        response: responses(priceIndexSchema),
        querystring: seriesQuery,
      },
    },
    async (request) => priceIndex(db, await defaultRange(request.query)),
  );
  api.get(
    "/api/v1/supply",
    {
      schema: {
        description: "GPUs offered and leased over time",
        response: responses(supplySchema),
        querystring: seriesQuery,
      },
    },
    async (request) => supply(db, await defaultRange(request.query)),
  );
  api.get(
    "/api/v1/providers",
    {
      schema: {
        description: "Providers",
        response: responses(providerPageSchema),
        querystring: z.object({ sort: z.enum(PROVIDER_SORTS).default("stake"), ...paging }),
      },
    },
    async (request) => listProviders(db, request.query),
  );
  api.get(
    "/api/v1/providers/:address",
    {
      schema: { description: "One provider", response: responses(providerDetailSchema), params: z.object({ address }) },
    },
    async (request) => {
      const provider = await getProvider(db, request.params.address);
      if (!provider) throw notIndexed(`provider ${request.params.address}`, options.status());
      return provider;
    },
  );
  api.get(
    "/api/v1/leases",
    {
      schema: {
        description: "Leases, newest first",
        response: responses(leasePageSchema),
        querystring: z.object({
          client: address.optional(),
          provider: address.optional(),
          state: z.enum(LEASE_STATES).optional(),
          ...paging,
        }),
      },
    },
    async (request) => listLeases(db, request.query),
  );
  api.get(
    "/api/v1/leases/:id",
    {
      schema: {
        description: "One lease with its timeline",
        response: responses(leaseDetailSchema),
        params: z.object({ id: z.coerce.number().int().min(1) }),
      },
    },
    async (request) => {
      const lease = await getLease(db, request.params.id);
      if (!lease) throw notIndexed(`lease ${request.params.id}`, options.status());
      return lease;
    },
  );
  api.get(
    "/api/v1/stats",
    { schema: { description: "Network totals", response: responses(networkStatsSchema) } },
    async () => networkStats(db),
  );
  api.get(
    "/api/v1/proposals",
    {
      schema: {
        description: "Governance proposals, newest first",
        response: responses(proposalPageSchema),
        querystring: z.object(paging),
      },
    },
    async (request) => listProposals(db, request.query),
  );
  api.get(
    "/api/v1/proposals/:id",
    {
      schema: {
        description: "One proposal with its votes",
        response: responses(proposalDetailSchema),
        params: z.object({ id: z.string().regex(/^\d{1,78}$/, "must be a proposal id (digits)") }),
      },
    },
    async (request) => {
      const proposal = await getProposal(db, request.params.id);
      if (!proposal) throw notIndexed(`proposal ${request.params.id}`, options.status());
      return proposal;
    },
  );
  app.get("/api/openapi.json", { schema: { hide: true } }, async () => app.swagger());

  if (webDir) await app.register(fastifyStatic, { root: webDir, wildcard: false });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split("?")[0] ?? "";
    if (path.startsWith("/api/") || !webDir || request.method !== "GET") {
      return reply
        .code(404)
        .send(
          errorBody("no-such-endpoint", `${request.method} ${path} is not an endpoint; see /api/docs for the API.`),
        );
    }
    return reply.sendFile("index.html"); // a route of the web app (e.g. /leases/7): the app resolves it
  });
  return app;
}

function errorBody(code: string, message: string): ApiErrorBody {
  return { error: { code, message } };
}

function notIndexed(what: string, status: IndexerStatus): ApiError {
  return new ApiError(
    404,
    "not-found",
    `No ${what} in the index (indexed up to block ${status.block}). Check the id, or retry once the indexer has caught up.`,
  );
}
