import { type Address, type Hex, recoverTypedDataAddress, sha256, toHex } from "viem";
import type { PlasmaClient } from "../clients/createPlasmaClient.ts";
import { requireWallet } from "../clients/createPlasmaClient.ts";

/** Longest a signed request stays valid: a captured request is useless after this. */
export const MAX_REQUEST_LIFETIME_SECONDS = 300;

/**
 * Headers that carry a request's signature. The body's sha256 travels in a header so that the provider
 * can check the signature before it reads the body, and the body against it while it reads.
 */
export const SIGNATURE_HEADERS = {
  nonce: "x-plasma-nonce",
  expires: "x-plasma-expires",
  signature: "x-plasma-signature",
  bodySha256: "x-plasma-body-sha256",
} as const;

const TYPES = {
  Request: [
    { name: "leaseId", type: "uint256" },
    { name: "method", type: "string" },
    { name: "path", type: "string" },
    { name: "query", type: "string" },
    { name: "bodySha256", type: "bytes32" },
    { name: "nonce", type: "bytes32" },
    { name: "expires", type: "uint64" },
  ],
} as const;

/**
 * The EIP-712 domain of provider API requests: bound to one chain and one market. Version 2 signs the query
 * string and the body's sha256 (version 1 signed neither the query nor a hash a provider could stream).
 */
export function requestDomain(chainId: number, market: Address) {
  return { name: "Plasma Provider API", version: "2", chainId, verifyingContract: market } as const;
}

/** What a client signs for one HTTP request. */
export type SignedRequest = {
  leaseId: bigint;
  method: string;
  /** The path as sent, percent-encoding included. */
  path: string;
  /** The query string as sent, without its `?` ("" when there is none). */
  query: string;
  bodySha256: Hex;
  nonce: Hex;
  expires: bigint;
};

/** sha256 of a request body (an absent body hashes as the empty one). */
export function bodySha256(body: Uint8Array | string | undefined): Hex {
  const bytes = typeof body === "string" ? new TextEncoder().encode(body) : (body ?? new Uint8Array());
  return sha256(bytes);
}

/** Splits a request target (`/path?query`) into the path and the query string without its `?`. */
export function splitRequestTarget(target: string): { path: string; query: string } {
  const at = target.indexOf("?");
  return at === -1 ? { path: target, query: "" } : { path: target.slice(0, at), query: target.slice(at + 1) };
}

/**
 * Signs one provider API request with the client's key (EIP-712): lease, method, path and query string, the
 * body's sha256, a random nonce and an expiry. Returns the headers to send.
 * @param p.path The request target as it will be sent: the path and, if any, `?` and the query string.
 * @param p.bodySha256 The body's sha256, when the body is too large to pass as `body` (a streamed upload).
 * @example
 * const headers = await signRequest(client, { leaseId: 7n, method: "GET", path: "/v1/leases/7" });
 * await fetch(new URL("/v1/leases/7", endpoint), { headers });
 */
export async function signRequest(
  client: PlasmaClient,
  p: { leaseId: bigint; method: string; path: string; body?: Uint8Array | string; bodySha256?: Hex; now?: number },
): Promise<Record<string, string>> {
  const wallet = requireWallet(client, "Signing a provider request");
  const nonce = toHex(crypto.getRandomValues(new Uint8Array(32))); // Web Crypto: Node.js and browsers
  const expires = BigInt(Math.floor((p.now ?? Date.now()) / 1000) + 120);
  const message = {
    leaseId: p.leaseId,
    method: p.method.toUpperCase(),
    ...splitRequestTarget(p.path),
    bodySha256: p.bodySha256 ?? bodySha256(p.body),
    nonce,
    expires,
  };
  const signature = await wallet.signTypedData({
    domain: requestDomain(client.chain.id, client.addresses.computeMarket),
    types: TYPES,
    primaryType: "Request",
    message,
  });
  return {
    [SIGNATURE_HEADERS.nonce]: nonce,
    [SIGNATURE_HEADERS.expires]: expires.toString(),
    [SIGNATURE_HEADERS.signature]: signature,
    [SIGNATURE_HEADERS.bodySha256]: message.bodySha256,
  };
}

/** Recovers who signed a request. */
export async function recoverRequestSigner(
  chainId: number,
  market: Address,
  request: SignedRequest,
  signature: Hex,
): Promise<Address> {
  return recoverTypedDataAddress({
    domain: requestDomain(chainId, market),
    types: TYPES,
    primaryType: "Request",
    message: request,
    signature,
  });
}
