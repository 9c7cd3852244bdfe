import cors from "@fastify/cors";
import {
  GATEWAY_ERROR_HEADER,
  getValidator,
  getVerification,
  getXplBalance,
  JobSpecError,
  MAX_SPEC_BYTES,
  type PlasmaClient,
  relativePath,
  SIGNATURE_HEADERS,
  VOUCHER_HEADER,
} from "@plasma/sdk";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { type Address, formatEther, type Hex } from "viem";
import type { ChallengeResponder } from "../hardware/challengeResponder.ts";
import type { ProviderMetrics } from "../metrics.ts";
import type { VoucherLedger } from "../payments/voucherLedger.ts";
import type { JobRunner } from "../runner/jobRunner.ts";
import type { ProviderDb } from "../state/db.ts";
import type { ArtifactStore } from "../store/artifacts.ts";
import { authenticate } from "./auth.ts";
import { ApiError } from "./errors.ts";
import { registerGateway } from "./gateway.ts";

/** Largest input file accepted in one upload. */
export const MAX_INPUT_BYTES = 512 * 1024 * 1024;

export type ApiContext = {
  db: ProviderDb;
  runner: JobRunner;
  store: ArtifactStore;
  metrics: ProviderMetrics;
  client: PlasmaClient;
  provider: Address;
  /** Answers proof-of-GPU challenges from staked validators. */
  challenges: ChallengeResponder;
  /** The salt of a lease's result commitment, given to its client with the outputs. */
  saltOf: (leaseId: string) => Hex;
  /** Charges per-request payments to channel vouchers (the gateway to service leases). */
  ledger: VoucherLedger;
};

function jsonBody(req: FastifyRequest): unknown {
  try {
    return JSON.parse((req.body as Buffer | undefined)?.toString("utf8") ?? "");
  } catch {
    throw new ApiError(400, "invalid-json", "The request body is not JSON.");
  }
}

function leaseIdOf(req: FastifyRequest): bigint {
  const id = (req.params as { id?: string }).id ?? "";
  if (!/^\d{1,20}$/.test(id)) throw new ApiError(400, "bad-lease-id", `"${id}" is not a lease id.`);
  return BigInt(id);
}

function pathOf(req: FastifyRequest): string {
  const path = (req.params as { "*"?: string })["*"] ?? "";
  const parsed = relativePath.safeParse(path);
  if (!parsed.success) throw new ApiError(400, "bad-path", `The path "${path}" ${parsed.error.issues[0]?.message}.`);
  return path;
}

/**
 * The provider's HTTP API. Every /v1/leases route is signed by the lease's client (EIP-712 with
 * lease id, method, path, body hash, nonce and expiry); /healthz and /metrics are public.
 */
export function createApiServer(ctx: ApiContext): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: MAX_INPUT_BYTES });
  // Any web page may call this API (the web app lists a lease's outputs for its client): requests are
  // authorised by their EIP-712 signatures, never by cookies, so another origin gains nothing.
  app.register(cors, {
    origin: true,
    credentials: false,
    allowedHeaders: ["content-type", ...Object.values(SIGNATURE_HEADERS), VOUCHER_HEADER],
    exposedHeaders: [GATEWAY_ERROR_HEADER, "x-plasma-charged", "x-plasma-owed", "x-plasma-channel"],
  });
  // Keep every body as raw bytes: the signature covers them exactly.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer" }, (_req, body, done) => done(null, body));

  /**
   * Authenticates a request; `validator` also admits the validator assigned to re-run the lease: to read
   * the spec and inputs once assigned, and the outputs (tolerance mode compares them) only once the
   * provider's salt is public, that is after the validator committed to its own result.
   */
  const authWith = async (req: FastifyRequest, validator: "none" | "assigned" | "committed") => {
    const leaseId = leaseIdOf(req);
    const signer = await authenticate(
      { method: req.method, url: req.url, headers: req.headers, rawBody: req.body as Buffer | undefined },
      leaseId,
      {
        db: ctx.db,
        chainId: ctx.client.chain.id,
        market: ctx.client.addresses.computeMarket,
        ...(validator === "none"
          ? {}
          : { mayAlsoRead: (account: Address) => isAssignedValidator(leaseId, account, validator === "committed") }),
      },
    );
    return { id: leaseId.toString(), signer };
  };
  const auth = async (req: FastifyRequest) => (await authWith(req, "none")).id;

  const isAssignedValidator = async (leaseId: bigint, account: Address, mustHaveCommitted: boolean) => {
    const v = await getVerification(ctx.client, leaseId);
    const assigned = [v.validator1, v.validator2].some((a) => a?.toLowerCase() === account.toLowerCase());
    return assigned && (!mustHaveCommitted || v.providerSaltRevealed);
  };

  app.setErrorHandler((error: Error & { statusCode?: number }, req, reply: FastifyReply) => {
    if (error instanceof ApiError)
      return reply
        .status(error.status)
        .header(GATEWAY_ERROR_HEADER, error.code)
        .send({ error: { code: error.code, message: error.message, hint: error.hint, details: error.details } });
    if (error instanceof JobSpecError) {
      return reply.status(400).send({
        error: {
          code: "invalid-spec",
          message: `${error.shortMessage}\n${error.details}`,
          hint: error.metaMessages[0],
        },
      });
    }
    if (error.statusCode === 413)
      return reply.status(413).send({
        error: {
          code: "too-large",
          message: `The body exceeds this request's limit of ${req.routeOptions.bodyLimit} bytes.`,
        },
      });
    ctx.metrics.errors.inc({ kind: "api" });
    return reply.status(error.statusCode ?? 500).send({ error: { code: "internal", message: error.message } });
  });

  app.get("/healthz", async () => ({ ok: true, provider: ctx.provider, jobs: ctx.db.countByState() }));

  app.get("/metrics", async (_req, reply) => {
    ctx.metrics.xplEarned.set(Number(formatEther(await getXplBalance(ctx.client, ctx.provider))));
    return reply.type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics());
  });

  app.get("/v1/leases/:id", async (req) => ctx.runner.status(await auth(req)));

  app.post("/v1/leases/:id/spec", { bodyLimit: MAX_SPEC_BYTES }, async (req) => {
    const id = await auth(req);
    return ctx.runner.acceptSpec(id, (req.body as Buffer | undefined)?.toString("utf8") ?? "");
  });

  app.put("/v1/leases/:id/inputs/*", async (req) => {
    const id = await auth(req);
    return ctx.runner.acceptInput(id, pathOf(req), new Uint8Array((req.body as Buffer | undefined) ?? Buffer.alloc(0)));
  });

  app.post("/v1/leases/:id/stop", async (req) => ctx.runner.stop(await auth(req), "the client asked to stop"));

  // Proof of GPU: a staked validator sends a challenge, gets the commitment, then picks the rows to open.
  const validatorOnly = async (req: FastifyRequest) =>
    authenticate(
      { method: req.method, url: req.url, headers: req.headers, rawBody: req.body as Buffer | undefined },
      0n,
      {
        db: ctx.db,
        chainId: ctx.client.chain.id,
        market: ctx.client.addresses.computeMarket,
        mayAlsoRead: async (account) => (await getValidator(ctx.client, account)).active,
      },
    );
  app.post("/v1/hardware/challenges", async (req) => {
    await validatorOnly(req);
    return ctx.challenges.commit(jsonBody(req));
  });
  app.post("/v1/hardware/challenges/:challengeId/open", async (req) => {
    await validatorOnly(req);
    const { challengeId } = req.params as { challengeId: string };
    return { rows: ctx.challenges.open(challengeId, (jsonBody(req) as { nonce?: unknown }).nonce) };
  });

  // The job as the client sent it, for the validator that re-runs it (the spec's hash is on chain).
  app.get("/v1/leases/:id/spec", async (req) => ctx.runner.spec((await authWith(req, "assigned")).id));

  app.get("/v1/leases/:id/inputs/*", async (req, reply) => {
    const { id } = await authWith(req, "assigned");
    const sha256 = ctx.db.inputsOf(id).get(pathOf(req));
    if (!sha256) throw new ApiError(404, "unknown-input", `${pathOf(req)} is not an input of lease ${id}.`);
    const { createReadStream } = await import("node:fs");
    return reply.type("application/octet-stream").send(createReadStream(ctx.store.pathOf(sha256)));
  });

  // The salt opens a verified lease's result commitment: for the client, and for the validator once public.
  app.get("/v1/leases/:id/outputs", async (req) => {
    const { id } = await authWith(req, "committed");
    return { outputs: ctx.runner.manifest(id), salt: ctx.saltOf(id) };
  });

  app.get("/v1/leases/:id/outputs/*", async (req, reply) => {
    const { id } = await authWith(req, "committed");
    const path = pathOf(req);
    const entry = ctx.runner.manifest(id).find((e) => e.path === path);
    if (!entry) throw new ApiError(404, "unknown-output", `${path} is not an output of lease ${id}.`);
    const { createReadStream } = await import("node:fs");
    return reply.type("application/octet-stream").send(createReadStream(ctx.store.pathOf(entry.sha256)));
  });

  registerGateway(app, {
    runner: ctx.runner,
    ledger: ctx.ledger,
    metrics: ctx.metrics,
    leaseIdOf,
    authenticateClient: auth,
  });

  // Server-sent events: what was logged so far, then live lines, then the final status.
  app.get("/v1/leases/:id/logs", async (req, reply) => {
    const id = await auth(req);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
    const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    const listener = (event: { type: string; status?: unknown }) => {
      send(event.type, event);
      if (event.type === "end") finish();
    };
    const finish = () => {
      ctx.runner.events.off(id, listener);
      res.end();
    };
    ctx.runner.events.on(id, listener);
    req.raw.on("close", () => ctx.runner.events.off(id, listener));
    const past = ctx.runner.logsSoFar(id);
    if (past) send("log", { stream: "system", text: past });
    const status = ctx.runner.status(id);
    send("status", { status });
    if (status.state === "done" || status.state === "failed") {
      send("end", { status });
      finish();
    }
  });

  return app;
}
