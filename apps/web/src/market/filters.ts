// The market's filters live in the URL (shareable links, a working back button). This module is the one
// place that reads them from search params and turns them into an /offers query.

import { OFFER_SORTS, type OfferSort } from "@plasma/indexer/api-types";
import type { QueryParams } from "../api/client.ts";

export const PAGE_SIZE = 20;

export type OfferFilters = {
  gpuModel: string;
  minVramGb: string;
  /** XPL per GPU-hour, as typed. */
  maxPricePerGpuHour: string;
  region: string;
  minReputation: string;
  onlyFree: boolean;
  sort: OfferSort;
  offset: number;
};

/** The text fields, which are edited as drafts before they reach the URL. */
export type TextFilter = "minVramGb" | "maxPricePerGpuHour" | "region" | "minReputation";

export const DEFAULT_SORT: OfferSort = "price";

export const SORT_LABELS: Record<OfferSort, string> = {
  price: "Price: low to high",
  "-price": "Price: high to low",
  vram: "VRAM: low to high",
  "-vram": "VRAM: high to low",
  reputation: "Reputation: low to high",
  "-reputation": "Reputation: high to low",
  free: "Free GPUs: few first",
  "-free": "Free GPUs: most first",
  newest: "Newest first",
};

function isSort(value: string | null): value is OfferSort {
  return value !== null && (OFFER_SORTS as readonly string[]).includes(value);
}

/** A non-negative decimal, or "" (so a half-typed or bogus value never reaches the API). */
function decimalOrEmpty(value: string | null): string {
  const trimmed = value?.trim() ?? "";
  return /^\d+(\.\d+)?$|^\.\d+$/.test(trimmed) ? trimmed : "";
}

/** A whole number, or "" (the API takes VRAM in whole GB). */
function integerOrEmpty(value: string | null): string {
  const trimmed = value?.trim() ?? "";
  return /^\d+$/.test(trimmed) ? trimmed : "";
}

export function readFilters(params: URLSearchParams): OfferFilters {
  const offset = Number.parseInt(params.get("offset") ?? "0", 10);
  const sort = params.get("sort");
  return {
    gpuModel: params.get("gpuModel") ?? "",
    minVramGb: integerOrEmpty(params.get("minVramGb")),
    maxPricePerGpuHour: decimalOrEmpty(params.get("maxPricePerGpuHour")),
    region: params.get("region")?.trim() ?? "",
    minReputation: decimalOrEmpty(params.get("minReputation")),
    onlyFree: params.get("onlyFree") === "1",
    sort: isSort(sort) ? sort : DEFAULT_SORT,
    offset: Number.isFinite(offset) && offset > 0 ? offset : 0,
  };
}

/**
 * Returns `params` with `changes` applied. Any change of a filter goes back to the first page; defaults
 * are left out so that URLs stay short.
 */
export function writeFilters(params: URLSearchParams, changes: Partial<OfferFilters>): URLSearchParams {
  const next = new URLSearchParams(params);
  const set = (key: string, value: string) => (value ? next.set(key, value) : next.delete(key));
  for (const [key, value] of Object.entries(changes)) {
    if (key === "onlyFree") set(key, value ? "1" : "");
    else if (key === "sort") set(key, value === DEFAULT_SORT ? "" : String(value));
    else if (key === "offset") set(key, Number(value) > 0 ? String(value) : "");
    else set(key, String(value ?? "").trim());
  }
  if (!("offset" in changes)) next.delete("offset");
  return next;
}

export function hasActiveFilters(f: OfferFilters): boolean {
  return Boolean(f.gpuModel || f.minVramGb || f.maxPricePerGpuHour || f.region || f.minReputation || f.onlyFree);
}

/** The /offers query for these filters: only free GPUs means at least one free. */
export function offersQuery(f: OfferFilters): QueryParams {
  return {
    gpuModel: f.gpuModel,
    minVramGb: f.minVramGb,
    maxPricePerGpuHour: f.maxPricePerGpuHour,
    region: f.region,
    minReputation: f.minReputation,
    minFreeGpus: f.onlyFree ? 1 : undefined,
    sort: f.sort,
    limit: PAGE_SIZE,
    offset: f.offset,
  };
}
