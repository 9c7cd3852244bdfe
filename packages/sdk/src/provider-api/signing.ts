import { type Address, type Hex, keccak256, recoverTypedDataAddress, toHex } from "viem";
import type { PlasmaClient } from "../clients/createPlasmaClient.ts";
import { requireWallet } from "../clients/createPlasmaClient.ts";

/** Longest a signed request stays valid: a captured request is useless after this. */
export const MAX_REQUEST_LIFETIME_SECONDS = 300;

/** Headers that carry a request's signature. */
export const SIGNATURE_HEADERS = {
  nonce: "x-plasma-nonce",
  expires: "x-plasma-expires",
  signature: "x-plasma-signature",
} as const;

const TYPES = {
  Request: [
    { name: "leaseId", type: "uint256" },
    { name: "method", type: "string" },
    { name: "path", type: "string" },
    { name: "bodyHash", type: "bytes32" },
    { name: "nonce", type: "bytes32" },
    { name: "expires", type: "uint64" },
  ],
} as const;

/** The EIP-712 domain of provider API requests: bound to one chain and one market. */
export function requestDomain(chainId: number, market: Address) {
  return { name: "Plasma Provider API", version: "1", chainId, verifyingContract: market } as const;
}

/** What a client signs for one HTTP request. */
export type SignedRequest = {
  leaseId: bigint;
  method: string;
  path: string;
  bodyHash: Hex;
  nonce: Hex;
  expires: bigint;
};

/** keccak256 of a request body (empty bodies hash the empty string). */
export function bodyHash(body: Uint8Array | string | undefined): Hex {
  const bytes = typeof body === "string" ? new TextEncoder().encode(body) : (body ?? new Uint8Array());
  return keccak256(bytes);
}

/**
 * Signs one provider API request with the client's key (EIP-712): lease, method, path, body,
 * a random nonce and an expiry. Returns the headers to send.
 */
export async function signRequest(
  client: PlasmaClient,
  p: { leaseId: bigint; method: string; path: string; body?: Uint8Array | string; now?: number },
): Promise<Record<string, string>> {
  const wallet = requireWallet(client, "Signing a provider request");
  const nonce = toHex(crypto.getRandomValues(new Uint8Array(32))); // Web Crypto: Node.js and browsers
  const expires = BigInt(Math.floor((p.now ?? Date.now()) / 1000) + 120);
  const message = {
    leaseId: p.leaseId,
    method: p.method.toUpperCase(),
    path: p.path,
    bodyHash: bodyHash(p.body),
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
