import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import cors from "@fastify/cors";
import rateLimit from "@fastify/rate-limit";
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
  validatorRound,
} from "@plasma/sdk";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { type Address, formatEther, type Hex } from "viem";
import type { ChallengeResponder } from "../hardware/challengeResponder.ts";
import type { ProviderMetrics } from "../metrics.ts";
import type { VoucherLedger } from "../payments/voucherLedger.ts";
import type { JobRunner } from "../runner/jobRunner.ts";
import type { ProviderDb } from "../state/db.ts";
import { ArtifactRejectedError, type ArtifactStore } from "../store/artifacts.ts";
import { type Authenticated, authenticate } from "./auth.ts";
import { ApiError } from "./errors.ts";
import { registerGateway } from "./gateway.ts";

/** Largest input file accepted in one upload (streamed to disk, never held in memory). */
export const MAX_INPUT_BYTES = 512 * 1024 * 1024;
/** Largest body of any other request (a spec, a challenge); model-server requests have their own limit. */
export const MAX_BODY_BYTES = MAX_SPEC_BYTES;
/** Requests one client address may make per minute, unless the node's configuration says otherwise. */
export const DEFAULT_REQUESTS_PER_MINUTE = 6000;

/**
 * Who may call a route: the lease's client; also a validator assigned to re-run the lease (`assigned`), or
 * only once that validator's own result commitment is on chain (`committed`); or any active validator
 * (`validator`, no lease).
 */
type Access = "client" | "assigned" | "committed" | "validator";

declare module "fastify" {
  interface FastifyContextConfig {
    /** Who may call the route: checked from the request's headers before its body is read. */
    access?: Access;
    /** The handler streams the body and checks it against its signed sha256 itself. */
    streamsBody?: boolean;
  }
}

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
  /** Requests one client address may make per minute (default `DEFAULT_REQUESTS_PER_MINUTE`). */
  requestsPerMinute?: number;
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

const tooLarge = (limit: number) =>
  new ApiError(
    413,
    "too-large",
    `The body exceeds this request's limit of ${limit} bytes.`,
    limit === MAX_INPUT_BYTES
      ? "Split the input into several files, or have the job fetch it."
      : "Send a smaller body: specs, challenges and model requests are small.",
  );

/**
 * The provider's HTTP API. Every /v1/leases route is signed by the lease's client (EIP-712 with lease id,
 * method, path, query string, the body's sha256, nonce and expiry); /healthz and /metrics are public.
 *
 * Nothing is read of a body before its request is authenticated from the headers (signature, or voucher on
 * the gateway), every body but an upload has a small limit, uploads stream to disk, and each client address
 * may make `requestsPerMinute` requests.
 */
export async function createApiServer(ctx: ApiContext): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, bodyLimit: MAX_BODY_BYTES });
  // Any web page may call this API (the web app lists a lease's outputs for its client): requests are
  // authorised by their EIP-712 signatures, never by cookies, so another origin gains nothing.
  app.register(cors, {
    origin: true,
    credentials: false,
    allowedHeaders: ["content-type", ...Object.values(SIGNATURE_HEADERS), VOUCHER_HEADER],
    exposedHeaders: [GATEWAY_ERROR_HEADER, "x-plasma-charged", "x-plasma-owed", "x-plasma-channel"],
  });
  // First of all, before any signature is checked: a client address that floods the node is turned away.
  const perMinute = ctx.requestsPerMinute ?? DEFAULT_REQUESTS_PER_MINUTE;
  // (Awaited: it limits only the routes declared once it is loaded.)
  await app.register(rateLimit, {
    max: perMinute,
    timeWindow: 60_000,
    keyGenerator: (req) => req.ip,
    errorResponseBuilder: (_req, limit) =>
      new ApiError(
        429,
        "rate-limited",
        `This address made more than ${perMinute} requests per minute to this provider.`,
        `Retry in ${Math.max(1, Math.ceil(limit.ttl / 1000))} s; make fewer requests (e.g. follow logs instead of polling).`,
      ),
  });
  // Keep every body as raw bytes: its signed sha256 covers them exactly.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer" }, (_req, body, done) => done(null, body));

  const isAssignedValidator = async (leaseId: bigint, account: Address, mustHaveCommitted: boolean) => {
    const v = await getVerification(ctx.client, leaseId);
    const round = validatorRound(v, account);
    if (round === 0) return false;
    // A validator that could see the provider's outputs (or salt) before committing could copy them.
    if (mustHaveCommitted && v.commitments[round - 1] === null) {
      throw new ApiError(
        409,
        "not-committed",
        `Validator ${account} has no result commitment on chain for lease ${leaseId} yet: the outputs and salt are served only after it.`,
        "Re-run the job and commit your own result (commitResult) first, then ask again once the commitment is mined.",
      );
    }
    return true;
  };

  // Who signed each authenticated request, and the body's sha256 the signature covers.
  const signed = new WeakMap<FastifyRequest, Authenticated & { leaseId: bigint }>();
  /**
   * Authenticates a request from its headers; `assigned` and `committed` also admit a validator assigned to
   * re-run the lease: to read the spec and inputs once assigned, and the outputs and salt (tolerance mode compares
   * outputs) only once that validator's own result commitment is on chain (409 `not-committed` before).
   */
  const authenticateAs = async (req: FastifyRequest, access: Access) => {
    const leaseId = access === "validator" ? 0n : leaseIdOf(req);
    const mayAlsoRead =
      access === "validator"
        ? async (account: Address) => (await getValidator(ctx.client, account)).active
        : access === "client"
          ? undefined
          : (account: Address) => isAssignedValidator(leaseId, account, access === "committed");
    const result = await authenticate({ method: req.method, url: req.url, headers: req.headers }, leaseId, {
      db: ctx.db,
      chainId: ctx.client.chain.id,
      market: ctx.client.addresses.computeMarket,
      ...(mayAlsoRead ? { mayAlsoRead } : {}),
    });
    signed.set(req, { ...result, leaseId });
    return result;
  };
  const signedOf = (req: FastifyRequest) => {
    const auth = signed.get(req);
    if (!auth) throw new Error("unreachable: the route authenticates its requests");
    return { ...auth, id: auth.leaseId.toString() };
  };

  // After the route is known and before any of the body is read.
  app.addHook("preParsing", async (req) => {
    const access = req.routeOptions.config.access;
    if (access) await authenticateAs(req, access);
  });
  // Once a (small) body is read: it must be the one that was signed.
  app.addHook("preValidation", async (req) => {
    const auth = signed.get(req);
    if (!auth || req.routeOptions.config.streamsBody) return;
    const actual = `0x${createHash("sha256")
      .update((req.body as Buffer | undefined) ?? Buffer.alloc(0))
      .digest("hex")}`;
    if (actual !== auth.bodySha256)
      throw new ApiError(
        400,
        "body-mismatch",
        `The body's sha256 is ${actual}, but the request was signed for ${auth.bodySha256}.`,
        `Sign the body you send: ${SIGNATURE_HEADERS.bodySha256} is its sha256 (the SDK's signRequest sets it).`,
      );
  });

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, req, reply: FastifyReply) => {
    // Refused before its body was read (or while reading it): close the connection rather than read the rest.
    if (!req.raw.complete) reply.header("connection", "close");
    const apiError =
      error instanceof ApiError
        ? error
        : error instanceof JobSpecError
          ? new ApiError(400, "invalid-spec", `${error.shortMessage}\n${error.details}`, error.metaMessages[0])
          : error.statusCode === 413
            ? tooLarge(req.routeOptions.bodyLimit ?? MAX_BODY_BYTES)
            : undefined;
    if (apiError)
      return reply
        .status(apiError.status)
        .header(GATEWAY_ERROR_HEADER, apiError.code)
        .send({
          error: { code: apiError.code, message: apiError.message, hint: apiError.hint, details: apiError.details },
        });
    const status = error.statusCode ?? 500;
    if (status >= 500) ctx.metrics.errors.inc({ kind: "api" });
    const code = status >= 500 ? "internal" : "bad-request";
    return reply
      .status(status)
      .header(GATEWAY_ERROR_HEADER, code)
      .send({ error: { code, message: error.message } });
  });

  app.get("/healthz", async () => ({ ok: true, provider: ctx.provider, jobs: ctx.db.countByState() }));

  app.get("/metrics", async (_req, reply) => {
    ctx.metrics.xplEarned.set(Number(formatEther(await getXplBalance(ctx.client, ctx.provider))));
    return reply.type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics());
  });

  const client = { config: { access: "client" } } as const;
  app.get("/v1/leases/:id", client, async (req) => ctx.runner.status(signedOf(req).id));

  app.post("/v1/leases/:id/spec", client, async (req) =>
    ctx.runner.acceptSpec(signedOf(req).id, (req.body as Buffer | undefined)?.toString("utf8") ?? ""),
  );

  // Uploads are the one large body: streamed to the artifact store, checked against the signed sha256 on the way.
  app.register(async (uploads) => {
    uploads.removeAllContentTypeParsers();
    uploads.addContentTypeParser("*", (_req, payload, done) => done(null, payload));
    uploads.put("/v1/leases/:id/inputs/*", { config: { access: "client", streamsBody: true } }, async (req) => {
      const { id, bodySha256 } = signedOf(req);
      const path = pathOf(req);
      const sha256 = bodySha256.slice(2);
      // What the job runner checks too, here before a byte of the body is read.
      const { state } = ctx.runner.status(id);
      if (state !== "awaiting-inputs")
        throw new ApiError(
          409,
          "not-accepting-inputs",
          `Lease ${id} is ${state}; inputs are accepted only after the spec and before the run.`,
        );
      const declared = ctx.runner.spec(id).inputs.find((i) => i.path === path);
      if (!declared) throw new ApiError(400, "undeclared-input", `${path} is not an input of this job's spec.`);
      if (declared.sha256 !== sha256)
        throw new ApiError(
          400,
          "input-hash-mismatch",
          `${path} has sha256 ${sha256}, but the spec says ${declared.sha256}.`,
          "Upload the file the spec was written for.",
        );
      if (Number(req.headers["content-length"]) > MAX_INPUT_BYTES) throw tooLarge(MAX_INPUT_BYTES);
      try {
        await ctx.store.putStream((req.body as Readable | undefined) ?? Readable.from([]), {
          maxBytes: MAX_INPUT_BYTES,
          sha256,
        });
      } catch (error) {
        if (!(error instanceof ArtifactRejectedError)) throw error;
        if (error.reason === "too-large") throw tooLarge(MAX_INPUT_BYTES);
        throw new ApiError(
          400,
          "body-mismatch",
          `The body of ${path} is not the file the request was signed for: ${error.message}.`,
          "Send exactly the bytes whose sha256 you signed.",
        );
      }
      return ctx.runner.acceptInput(id, path, sha256);
    });
  });

  app.post("/v1/leases/:id/stop", client, async (req) => ctx.runner.stop(signedOf(req).id, "the client asked to stop"));

  // Proof of GPU: a staked validator sends a challenge, gets the commitment, then picks the rows to open.
  const validator = { config: { access: "validator" } } as const;
  // The signed query names the provider a challenge is for: one relayed from another provider is refused.
  const forThisProvider = (req: FastifyRequest) => {
    const named = (req.query as { provider?: unknown }).provider;
    if (typeof named !== "string" || named.toLowerCase() !== ctx.provider.toLowerCase())
      throw new ApiError(
        400,
        "wrong-provider",
        `This challenge is for ${typeof named === "string" ? named : "no provider"}; this node is ${ctx.provider}.`,
        "Sign the challenge for the provider you send it to (?provider=ADDRESS, as the SDK does).",
      );
  };
  app.post("/v1/hardware/challenges", validator, async (req) => {
    forThisProvider(req);
    return ctx.challenges.commit(jsonBody(req));
  });
  app.post("/v1/hardware/challenges/:challengeId/open", validator, async (req) => {
    forThisProvider(req);
    const { challengeId } = req.params as { challengeId: string };
    return { rows: ctx.challenges.open(challengeId, (jsonBody(req) as { nonce?: unknown }).nonce) };
  });

  // The job as the client sent it, for the validator that re-runs it (the spec's hash is on chain).
  const assigned = { config: { access: "assigned" } } as const;
  app.get("/v1/leases/:id/spec", assigned, async (req) => ctx.runner.spec(signedOf(req).id));

  app.get("/v1/leases/:id/inputs/*", assigned, async (req, reply) => {
    const { id } = signedOf(req);
    const sha256 = ctx.db.inputsOf(id).get(pathOf(req));
    if (!sha256) throw new ApiError(404, "unknown-input", `${pathOf(req)} is not an input of lease ${id}.`);
    const { createReadStream } = await import("node:fs");
    return reply.type("application/octet-stream").send(createReadStream(ctx.store.pathOf(sha256)));
  });

  // The salt opens a verified lease's result commitment: for the client, and for a validator once it has committed.
  const committed = { config: { access: "committed" } } as const;
  app.get("/v1/leases/:id/outputs", committed, async (req) => {
    const { id } = signedOf(req);
    return { outputs: ctx.runner.manifest(id), salt: ctx.saltOf(id) };
  });

  app.get("/v1/leases/:id/outputs/*", committed, async (req, reply) => {
    const { id } = signedOf(req);
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
    authenticateClient: (req) => authenticateAs(req, "client"),
  });

  // Server-sent events: what was logged so far, then live lines, then the final status.
  app.get("/v1/leases/:id/logs", client, async (req, reply) => {
    const { id } = signedOf(req);
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
