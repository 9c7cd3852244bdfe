import {
  bodySha256,
  MAX_REQUEST_LIFETIME_SECONDS,
  recoverRequestSigner,
  SIGNATURE_HEADERS,
  splitRequestTarget,
} from "@plasma/sdk";
import type { Address, Hex } from "viem";
import type { ProviderDb } from "../state/db.ts";
import { ApiError } from "./errors.ts";

/** What a request looks like to the authenticator: its request line and headers, never its body. */
export type IncomingRequest = {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
};

/** Who signed a request, and the body's sha256 the signature covers (the body is checked against it as it is read). */
export type Authenticated = { signer: Address; bodySha256: Hex };

/** The sha256 of an empty body: what a request without the body-hash header declares. */
export const EMPTY_BODY_SHA256 = bodySha256(undefined);

const header = (req: IncomingRequest, name: string) => {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/**
 * Checks, from its headers alone, that a request about `leaseId` is signed by that lease's client (or by an
 * account `mayAlsoRead` accepts, e.g. the validator assigned to re-run it), is not expired, and has not been
 * seen before. The signature covers the method, path, query string and the body's sha256 as declared in a
 * header; the caller checks the body against that hash while reading it.
 * Returns the signer and the declared body hash.
 */
export async function authenticate(
  req: IncomingRequest,
  leaseId: bigint,
  ctx: {
    db: ProviderDb;
    chainId: number;
    market: Address;
    now?: () => number;
    mayAlsoRead?: (signer: Address) => Promise<boolean>;
  },
): Promise<Authenticated> {
  const nonce = header(req, SIGNATURE_HEADERS.nonce);
  const expiresText = header(req, SIGNATURE_HEADERS.expires);
  const signature = header(req, SIGNATURE_HEADERS.signature);
  if (!nonce || !expiresText || !signature) {
    throw new ApiError(
      401,
      "unsigned",
      "This request is not signed.",
      "Sign every request with the lease's client key (the Plasma SDK and CLI do).",
    );
  }
  const declaredBody = header(req, SIGNATURE_HEADERS.bodySha256) ?? EMPTY_BODY_SHA256;
  if (
    !/^0x[0-9a-f]{64}$/i.test(nonce) ||
    !/^\d{1,12}$/.test(expiresText) ||
    !/^0x[0-9a-f]+$/i.test(signature) ||
    !/^0x[0-9a-f]{64}$/i.test(declaredBody)
  ) {
    throw new ApiError(
      401,
      "malformed-signature",
      "The request's signature headers are malformed.",
      `Send ${Object.values(SIGNATURE_HEADERS).join(", ")} as the Plasma SDK's signRequest makes them.`,
    );
  }
  const now = Math.floor((ctx.now?.() ?? Date.now()) / 1000);
  const expires = Number(expiresText);
  if (expires < now)
    throw new ApiError(401, "expired", `The request expired ${now - expires}s ago.`, "Sign a fresh request.");
  if (expires > now + MAX_REQUEST_LIFETIME_SECONDS) {
    throw new ApiError(401, "expiry-too-far", `Requests may be valid for at most ${MAX_REQUEST_LIFETIME_SECONDS}s.`);
  }
  // Lease 0 scopes requests about no lease (hardware challenges): only `mayAlsoRead` can admit them.
  const job = leaseId === 0n ? undefined : ctx.db.getJob(leaseId.toString());
  if (leaseId !== 0n && !job)
    throw new ApiError(
      404,
      "unknown-lease",
      `Lease ${leaseId} is not a lease of this provider.`,
      "Check the lease id and the provider endpoint.",
    );
  let signer: Address;
  try {
    signer = await recoverRequestSigner(
      ctx.chainId,
      ctx.market,
      {
        leaseId,
        method: req.method.toUpperCase(),
        ...splitRequestTarget(req.url),
        bodySha256: declaredBody.toLowerCase() as Hex,
        nonce: nonce as Hex,
        expires: BigInt(expires),
      },
      signature as Hex,
    );
  } catch {
    throw new ApiError(401, "bad-signature", "The request's signature does not verify.");
  }
  const isClient = job !== undefined && signer.toLowerCase() === job.client.toLowerCase();
  if (!isClient && !(await ctx.mayAlsoRead?.(signer))) {
    throw new ApiError(
      403,
      leaseId === 0n ? "not-validator" : "not-client",
      `${signer} is ${leaseId === 0n ? "not an active validator" : `not the client of lease ${leaseId}`} (a request changed after it was signed, in its method, path, query string or body hash, recovers another account).`,
      leaseId === 0n
        ? "Only staked validators may challenge this node's hardware."
        : "Only the account that opened the lease may use it.",
    );
  }
  if (!ctx.db.useNonce(leaseId.toString(), nonce.toLowerCase(), expires)) {
    throw new ApiError(401, "replayed", "This request was already received once.", "Sign each request anew.");
  }
  return { signer, bodySha256: declaredBody.toLowerCase() as Hex };
}
