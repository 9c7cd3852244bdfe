// Offer search: filters, sort and paging over the offers table joined with their providers.
import type { Queryable } from "../../db/database.ts";
import { OFFER_COLUMNS, type OfferRow, perSecondFromHourly, toOffer } from "../format.ts";
import type { OfferPage, OfferSort } from "../types.ts";

export type OfferSearch = {
  gpuModel?: string | undefined;
  minVramGb?: number | undefined;
  maxPricePerGpuHour?: string | undefined;
  region?: string | undefined;
  minReputation?: number | undefined;
  minFreeGpus?: number | undefined;
  provider?: string | undefined;
  includeInactive?: boolean | undefined;
  sort: OfferSort;
  limit: number;
  offset: number;
};

const ORDER: Record<OfferSort, string> = {
  price: "o.price_per_gpu_second ASC",
  "-price": "o.price_per_gpu_second DESC",
  vram: "o.vram_gb ASC",
  "-vram": "o.vram_gb DESC",
  reputation: "p.reputation ASC",
  "-reputation": "p.reputation DESC",
  free: "(o.gpu_count - o.gpus_in_use) ASC",
  "-free": "(o.gpu_count - o.gpus_in_use) DESC",
  newest: "o.id DESC",
};

/** One page of the offers matching `search`, with the number of all matches. */
export async function searchOffers(db: Queryable, search: OfferSearch): Promise<OfferPage> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (clause: string, value: unknown) => {
    params.push(value);
    where.push(clause.replaceAll("?", `$${params.length}`));
  };
  if (!search.includeInactive) where.push("o.active AND NOT o.hardware_check_failed");
  if (search.gpuModel) add("o.gpu_model_key = ?", search.gpuModel.toLowerCase());
  if (search.minVramGb !== undefined) add("o.vram_gb >= ?", search.minVramGb);
  if (search.maxPricePerGpuHour !== undefined)
    add("o.price_per_gpu_second <= ?::numeric", perSecondFromHourly(search.maxPricePerGpuHour).toString());
  if (search.region) add("o.region_key = ?", search.region.toLowerCase());
  if (search.minReputation !== undefined) add("p.reputation >= ?", search.minReputation);
  if (search.minFreeGpus !== undefined) add("o.gpu_count - o.gpus_in_use >= ?", search.minFreeGpus);
  if (search.provider) add("o.provider = ?", search.provider);
  params.push(search.limit, search.offset);
  const rows = await db.query<OfferRow & { total: number }>(
    `SELECT ${OFFER_COLUMNS}, count(*) OVER ()::int AS total
     FROM offers o LEFT JOIN providers p ON p.address = o.provider
     ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
     ORDER BY ${ORDER[search.sort]}, o.id ASC
     LIMIT $${params.length - 1} OFFSET $${params.length}`,
    params,
  );
  const total = rows[0]?.total ?? (search.offset > 0 ? await countOffers(db, where, params.slice(0, -2)) : 0);
  return { offers: rows.map(toOffer), total, limit: search.limit, offset: search.offset };
}

/** The match count when the page itself is past the end (no row carries the total). */
async function countOffers(db: Queryable, where: string[], params: unknown[]): Promise<number> {
  const rows = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM offers o LEFT JOIN providers p ON p.address = o.provider
     ${where.length ? `WHERE ${where.join(" AND ")}` : ""}`,
    params,
  );
  return rows[0]?.n ?? 0;
}
