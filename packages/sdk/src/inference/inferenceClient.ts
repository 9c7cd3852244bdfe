import type { Address } from "viem";
import { encodeVoucherHeader, findOpenChannel, getChannel, signVoucher, VOUCHER_HEADER } from "../actions/channels.ts";
import { getLease } from "../actions/market.ts";
import { getOffer, getProvider } from "../actions/registry.ts";
import { type PlasmaClient, requireWallet } from "../clients/createPlasmaClient.ts";
import { PlasmaError } from "../errors/base.ts";
import { ProviderApiError } from "../provider-api/client.ts";
import { signRequest } from "../provider-api/signing.ts";

/** The header a provider's gateway puts on its own errors (the model server's errors pass through unmarked). */
export const GATEWAY_ERROR_HEADER = "x-plasma-error";

/** A refusal by the gateway, with the machine-readable facts it sent (e.g. what the channel owes). */
type GatewayError = ProviderApiError & { facts: Record<string, string> };

/** Calls to a service lease's model endpoint, paid per request with vouchers this client signs itself. */
export type InferenceClient = {
  /** The endpoint's base URL: append the model server's path (e.g. /v1/completions). */
  url: string;
  leaseId: bigint;
  provider: Address;
  /** What one request costs (XPL wei); 0 when the lease's GPU time pays. */
  pricePerRequest: bigint;
  /** The channel that pays, when requests have a price. */
  channelId: bigint | undefined;
  /** The running total this client believes it owes on the channel, requests in flight included. */
  readonly owed: bigint;
  /**
   * Sends a request to `path` on the model server. The model server's own answers (any status) come back as
   * they are; the gateway's refusals throw `ProviderApiError` with their code (e.g. `voucher-short`).
   */
  fetch(
    path: string,
    init?: { method?: string; body?: string | Uint8Array; headers?: Record<string, string> },
  ): Promise<Response>;
};

export type InferenceClientOptions = {
  leaseId: bigint;
  /** The channel that pays; default: this account's open channel to the lease's provider with the most left. */
  channelId?: bigint | undefined;
  /**
   * The most this account has ever signed on the channel (keep it between sessions). The client adopts the
   * provider's running total only up to it, so a provider can never make it sign for more than it used.
   * Default: what was redeemed on chain. A function is asked once the channel is known.
   */
  signedUpTo?: bigint | ((channelId: bigint) => bigint | undefined) | undefined;
  /**
   * Sign each voucher for this many requests ahead (default 1: exactly what is owed). More saves the signing
   * and the provider's signature check on most requests, at the risk of paying for up to N−1 unused requests.
   */
  prepayRequests?: number | undefined;
  /** Called with every voucher amount signed, to keep `signedUpTo`. */
  onSigned?: ((channelId: bigint, cumulativeAmount: bigint) => void) | undefined;
};

/**
 * Connects to a service lease's endpoint through its provider's gateway.
 * @throws PlasmaError when requests have a price and this account has no open channel to the provider.
 * @example
 * const ai = await createInferenceClient(client, { leaseId: 7n });
 * const res = await ai.fetch("/v1/completions", { method: "POST", body: JSON.stringify({ prompt: "gpu" }) });
 */
export async function createInferenceClient(
  client: PlasmaClient,
  options: InferenceClientOptions,
): Promise<InferenceClient> {
  const me = requireWallet(client, "Calling a model endpoint").account.address;
  const lease = await getLease(client, options.leaseId);
  const [provider, offer] = await Promise.all([getProvider(client, lease.provider), getOffer(client, lease.offerId)]);
  const basePath = `/v1/leases/${options.leaseId}/serve`;
  const url = new URL(basePath, provider.endpoint).toString();
  const price = offer.pricePerRequest;
  let channelId = options.channelId;
  if (price > 0n && channelId === undefined) {
    const best = await findOpenChannel(client, { payer: me, provider: lease.provider });
    if (!best)
      throw new PlasmaError(
        `Requests to lease ${options.leaseId} cost ${price} wei each, and you have no open channel to its provider ${lease.provider}.`,
        {
          metaMessages: [`Open one: plasma channel open ${lease.provider} XPL`],
        },
      );
    channelId = best.id;
  }
  let owed = 0n;
  let signedUpTo = 0n;
  if (channelId !== undefined) {
    signedUpTo = (typeof options.signedUpTo === "function" ? options.signedUpTo(channelId) : options.signedUpTo) ?? 0n;
    const channel = await getChannel(client, channelId);
    if (channel.client.toLowerCase() !== me.toLowerCase())
      throw new PlasmaError(`Channel ${channelId} belongs to ${channel.client}, not to this account ${me}.`);
    owed = channel.redeemed > signedUpTo ? channel.redeemed : signedUpTo;
    if (signedUpTo < channel.redeemed) signedUpTo = channel.redeemed;
  }

  const ahead = BigInt(Math.max(1, Math.floor(options.prepayRequests ?? 1)) - 1);
  let current: { amount: bigint; header: string } | undefined;
  /** The voucher header for a running total: the last one while it covers it, else a new one. */
  async function voucherFor(total: bigint): Promise<string> {
    if (current && current.amount >= total && ahead > 0n) return current.header;
    const amount = total + ahead * price;
    if (amount > signedUpTo) {
      signedUpTo = amount;
      options.onSigned?.(channelId as bigint, amount);
    }
    const header = encodeVoucherHeader(await signVoucher(client, channelId as bigint, amount));
    if (!current || amount > current.amount) current = { amount, header };
    return header;
  }

  async function sendOnce(
    path: string,
    init: { method?: string; body?: string | Uint8Array; headers?: Record<string, string> },
    cumulative: bigint | undefined,
  ): Promise<Response> {
    const method = init.method ?? (init.body === undefined ? "GET" : "POST");
    const target = new URL(`${basePath}${path.startsWith("/") ? path : `/${path}`}`, provider.endpoint);
    const headers: Record<string, string> = {
      ...(init.body !== undefined && typeof init.body === "string" ? { "content-type": "application/json" } : {}),
      ...init.headers,
    };
    if (cumulative !== undefined && channelId !== undefined) {
      headers[VOUCHER_HEADER] = await voucherFor(cumulative);
    } else {
      Object.assign(
        headers,
        await signRequest(client, {
          leaseId: options.leaseId,
          method,
          path: `${target.pathname}${target.search}`,
          ...(init.body === undefined ? {} : { body: init.body }),
        }),
      );
    }
    try {
      return await fetch(target, {
        method,
        headers,
        body: init.body as string | Uint8Array<ArrayBuffer> | undefined,
      });
    } catch (error) {
      throw new ProviderApiError(
        0,
        "unreachable",
        `Cannot reach the provider at ${provider.endpoint}.`,
        undefined,
        error,
      );
    }
  }

  async function gatewayError(response: Response): Promise<GatewayError> {
    const body = (await response.json().catch(() => ({}))) as {
      error?: { code?: string; message?: string; hint?: string; details?: Record<string, string> };
    };
    const error = new ProviderApiError(
      response.status,
      body.error?.code ?? response.headers.get(GATEWAY_ERROR_HEADER) ?? "error",
      body.error?.message ?? `The gateway answered ${response.status}.`,
      body.error?.hint,
    ) as GatewayError;
    error.facts = body.error?.details ?? {};
    return error;
  }

  return {
    url,
    leaseId: options.leaseId,
    provider: lease.provider,
    pricePerRequest: price,
    channelId,
    get owed() {
      return owed;
    },
    async fetch(path, init = {}) {
      if (price === 0n) {
        const response = await sendOnce(path, init, undefined);
        if (response.headers.has(GATEWAY_ERROR_HEADER)) throw await gatewayError(response);
        return response;
      }
      // Counted before signing, so that concurrent requests sign distinct running totals.
      owed += price;
      let response = await sendOnce(path, init, owed);
      if (response.headers.has(GATEWAY_ERROR_HEADER)) {
        const error = await gatewayError(response);
        const providerOwed = error.facts.owed === undefined ? undefined : BigInt(error.facts.owed);
        // The provider counts more than this request's voucher covers: a concurrent request overtook it, or an
        // earlier session made requests. Adopt its total only as far as this account has signed before, and try
        // once more with a voucher for everything in flight (that covers any order of arrival).
        if (error.code === "voucher-short" && providerOwed !== undefined && providerOwed <= signedUpTo) {
          owed = (providerOwed > owed - price ? providerOwed : owed - price) + price;
          response = await sendOnce(path, init, owed);
          if (!response.headers.has(GATEWAY_ERROR_HEADER)) return response;
          throw await gatewayError(response);
        }
        // A refused or failed request was not charged.
        owed -= price;
        if (error.code === "voucher-short" && providerOwed !== undefined)
          throw new ProviderApiError(
            402,
            "provider-claims-more",
            `The provider says channel ${channelId} owes ${providerOwed} wei, more than this account ever signed for (${signedUpTo} wei).`,
            "If you used this channel from another machine, pass signedUpTo; otherwise stop using this provider.",
          );
        throw error;
      }
      return response;
    },
  };
}
