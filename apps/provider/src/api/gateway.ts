import { type IncomingHttpHeaders, type IncomingMessage, request } from "node:http";
import { JobSocketAgent } from "@plasma/runtime";
import { VOUCHER_HEADER } from "@plasma/sdk";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ProviderMetrics } from "../metrics.ts";
import type { VoucherLedger } from "../payments/voucherLedger.ts";
import type { JobRunner } from "../runner/jobRunner.ts";
import { ApiError } from "./errors.ts";

/** Largest request body forwarded to a model server. */
export const MAX_SERVE_BODY_BYTES = 16 * 1024 * 1024;

/** Headers that describe one hop of a connection, not the request (RFC 9110 §7.6.1), and the voucher. */
const NOT_FORWARDED = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "upgrade",
  "te",
  "trailer",
  "host",
  VOUCHER_HEADER,
]);

function forwardable(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers))
    if (value !== undefined && !NOT_FORWARDED.has(name.toLowerCase())) out[name] = value;
  return out;
}

/**
 * Connections to model servers are kept open between requests (one pool per socket), and made without
 * following a link the job may have put in place of its socket.
 */
const agent = new JobSocketAgent({ keepAlive: true, maxSockets: 64 });

/** Sends a request to the server on a Unix socket; resolves once its response headers arrive. */
function forward(
  socketPath: string,
  req: FastifyRequest,
  path: string,
  body: Buffer | undefined,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const upstream = request(
      { socketPath, agent, method: req.method, path, headers: forwardable(req.headers) },
      resolve,
    );
    upstream.on("error", reject);
    // The client going away stops the model server's work too.
    req.raw.on("close", () => {
      if (!req.raw.complete) upstream.destroy();
    });
    upstream.end(body);
  });
}

/**
 * The gateway to service leases: `/v1/leases/LEASE/serve/PATH` is forwarded to PATH on the lease's model
 * server (over the Unix socket in its work directory), responses streamed back as they come. A service on an
 * offer with a request price takes a voucher per request from a channel of the lease's client, checked from
 * the headers before the body is read, charged before the request is forwarded and credited back if the model
 * server cannot be reached. A service without a request price is paid by its GPU time and takes requests
 * signed by the lease's client.
 */
export function registerGateway(
  app: FastifyInstance,
  ctx: {
    runner: JobRunner;
    ledger: VoucherLedger;
    metrics: ProviderMetrics;
    leaseIdOf: (req: FastifyRequest) => bigint;
    /** Checks from the headers that the lease's client signed the request (its body is checked as it is read). */
    authenticateClient: (req: FastifyRequest) => Promise<unknown>;
  },
): void {
  const voucherOf = (req: FastifyRequest) => {
    const header = req.headers[VOUCHER_HEADER];
    return Array.isArray(header) ? header[0] : header;
  };
  // Before a byte of the body is read: the service runs, and the voucher would pay (or the client signed).
  const admit = async (req: FastifyRequest) => {
    const service = ctx.runner.service(ctx.leaseIdOf(req).toString());
    if (service.pricePerRequest > 0n)
      await ctx.ledger.authorize(voucherOf(req), service.pricePerRequest, service.client);
    else await ctx.authenticateClient(req);
  };
  app.all("/v1/leases/:id/serve/*", { bodyLimit: MAX_SERVE_BODY_BYTES, preParsing: admit }, async (req, reply) => {
    const id = ctx.leaseIdOf(req).toString();
    const service = ctx.runner.service(id);
    const price = service.pricePerRequest;
    const charge = price > 0n ? await ctx.ledger.charge(voucherOf(req), price, service.client) : undefined;
    const prefix = `/v1/leases/${id}/serve`;
    const path = req.url.startsWith(prefix) ? req.url.slice(prefix.length) || "/" : "/";
    let upstream: IncomingMessage;
    try {
      upstream = await forward(service.socketPath, req, path, req.body as Buffer | undefined);
    } catch (error) {
      ctx.metrics.serviceRequests.inc({ outcome: "unreachable" });
      if (charge) await ctx.ledger.credit(charge.channelId, price);
      throw new ApiError(
        502,
        "model-server-unreachable",
        `The model server of lease ${id} did not answer (${(error as Error).message})${charge ? "; this request was not charged" : ""}.`,
        "Retry in a few seconds: the provider restarts a crashed server.",
      );
    }
    ctx.metrics.serviceRequests.inc({ outcome: String(upstream.statusCode ?? 0) });
    if (charge) ctx.metrics.requestRevenue.inc(Number(price) / 1e18);
    reply.code(upstream.statusCode ?? 502);
    for (const [name, value] of Object.entries(forwardable(upstream.headers))) reply.header(name, value);
    if (charge) {
      reply.header("x-plasma-charged", price.toString());
      reply.header("x-plasma-owed", charge.owed.toString());
      reply.header("x-plasma-channel", charge.channelId.toString());
    }
    return reply.send(upstream);
  });
}
