// React Query hooks, one per API endpoint. Market and lease views poll every few seconds so that new
// chain events (picked up by the indexer) show without a reload.

import type {
  GpuModelSummary,
  LeaseDetail,
  LeasePage,
  LeaseState,
  NetworkInfo,
  NetworkStats,
  OfferPage,
  PriceIndex,
  ProposalPage,
  ProviderDetail,
  ProviderPage,
  Supply,
} from "@plasma/indexer/api-types";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { CHART_POINTS, type Range, rangeStart } from "../market/range.ts";
import { ApiError, apiGet, type QueryParams } from "./client.ts";

/** Poll interval of live views (market, leases). */
export const LIVE_MS = 3000;
/** Poll interval of slower-moving views (providers, network). */
const SLOW_MS = 10_000;

/** Do not retry what the API refused (4xx: a bad filter, an unknown id); do retry outages, twice. */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  if (error instanceof ApiError && error.status >= 400 && error.status < 500) return false;
  return failureCount < 2;
}

function useApi<T>(path: string, params: QueryParams | undefined, refetchInterval: number, paged = false) {
  return useQuery({
    queryKey: ["api", path, params ?? {}],
    queryFn: ({ signal }) => apiGet<T>(path, params, signal),
    refetchInterval,
    // Paging and filtering keep the previous rows on screen until the next page arrives.
    placeholderData: paged ? keepPreviousData : undefined,
  });
}

export function useNetwork() {
  return useApi<NetworkInfo>("/network", undefined, SLOW_MS);
}

export function useStats() {
  return useApi<NetworkStats>("/stats", undefined, LIVE_MS);
}

export function useOffers(params: QueryParams) {
  return useApi<OfferPage>("/offers", params, LIVE_MS, true);
}

/** The cheapest offer of a model that has a GPU free right now. */
export function useCheapestOffer(gpuModel: string) {
  return useApi<OfferPage>("/offers", { gpuModel, minFreeGpus: 1, sort: "price", limit: 1 }, LIVE_MS);
}

export function useGpuModels() {
  return useApi<{ gpuModels: GpuModelSummary[] }>("/gpu-models", undefined, LIVE_MS);
}

/**
 * A chart series of one GPU model (undefined: all models; null: not known yet, so wait). Its start is
 * computed at fetch time, so each poll slides the window along.
 */
function useSeries<T>(path: string, gpuModel: string | undefined | null, range: Range) {
  return useQuery({
    queryKey: ["api", path, { gpuModel: gpuModel ?? "", range }],
    enabled: gpuModel !== null,
    queryFn: ({ signal }) => apiGet<T>(path, { gpuModel, from: rangeStart(range), points: CHART_POINTS }, signal),
    refetchInterval: LIVE_MS,
    placeholderData: keepPreviousData,
  });
}

export function usePriceIndex(gpuModel: string | undefined | null, range: Range) {
  return useSeries<PriceIndex>("/price-index", gpuModel, range);
}

export function useSupply(gpuModel: string | undefined | null, range: Range) {
  return useSeries<Supply>("/supply", gpuModel, range);
}

export type ProviderSort = "stake" | "reputation" | "earned" | "newest";

export function useProviders(params: { sort: ProviderSort; limit: number; offset: number }) {
  return useApi<ProviderPage>("/providers", params, SLOW_MS, true);
}

export function useProvider(address: string) {
  return useApi<ProviderDetail>(`/providers/${encodeURIComponent(address)}`, undefined, LIVE_MS);
}

export function useLeases(params: {
  client?: string | undefined;
  provider?: string | undefined;
  state?: LeaseState | undefined;
  limit: number;
  offset: number;
}) {
  return useApi<LeasePage>("/leases", params, LIVE_MS, true);
}

export function useLease(id: string) {
  return useApi<LeaseDetail>(`/leases/${encodeURIComponent(id)}`, undefined, LIVE_MS);
}

export function useProposals(params: { limit: number; offset: number }) {
  return useApi<ProposalPage>("/proposals", params, SLOW_MS, true);
}
