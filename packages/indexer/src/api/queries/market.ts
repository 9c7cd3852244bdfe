// The market over time and now: GPU models on offer, the price index and supply/utilisation series.
import type { Queryable } from "../../db/database.ts";
import { hourlyXpl } from "../format.ts";
import type { GpuModelSummary, PriceIndex, Supply } from "../types.ts";

/** Active offers grouped by GPU model, cheapest first. */
export async function gpuModels(db: Queryable): Promise<GpuModelSummary[]> {
  const rows = await db.query<{
    gpu_model: string;
    offers: number;
    gpus: number;
    free: number;
    min: string;
    median: string;
  }>(
    `SELECT min(gpu_model) AS gpu_model, count(*)::int AS offers, sum(gpu_count)::int AS gpus,
       sum(gpu_count - gpus_in_use)::int AS free, min(price_per_gpu_second)::text AS min,
       percentile_disc(0.5) WITHIN GROUP (ORDER BY price_per_gpu_second)::text AS median
     FROM offers WHERE active AND NOT hardware_check_failed GROUP BY gpu_model_key ORDER BY min(price_per_gpu_second)`,
  );
  return rows.map((r) => ({
    gpuModel: r.gpu_model,
    offers: r.offers,
    gpus: r.gpus,
    freeGpus: r.free,
    minPricePerGpuHourXpl: hourlyXpl(r.min),
    medianPricePerGpuHourXpl: hourlyXpl(r.median),
  }));
}

export type SeriesRange = { gpuModel?: string | undefined; from: number; to: number; points: number };

type SeriesRow = { t: number; offers: number; min: string | null; median: string | null; gpus: number; in_use: number };

/**
 * The active offers' state at `points` evenly spaced times in [from, to]: each offer counts with
 * its latest change at or before the time.
 */
async function series(db: Queryable, range: SeriesRange): Promise<SeriesRow[]> {
  const step = Math.max(1, Math.floor((range.to - range.from) / Math.max(1, range.points - 1)));
  return db.query<SeriesRow>(
    `WITH ts AS (SELECT generate_series($1::bigint, $2::bigint, $3::bigint) AS t)
     SELECT ts.t, count(s.offer_id)::int AS offers, min(s.price)::text AS min,
       (percentile_disc(0.5) WITHIN GROUP (ORDER BY s.price))::text AS median,
       COALESCE(sum(s.gpu_count), 0)::int AS gpus, COALESCE(sum(s.gpus_in_use), 0)::int AS in_use
     FROM ts LEFT JOIN LATERAL (
       SELECT DISTINCT ON (h.offer_id) h.offer_id, h.price_per_gpu_second AS price, h.gpu_count, h.gpus_in_use, h.active
       FROM offer_history h
       WHERE h.timestamp <= ts.t AND ($4::text IS NULL OR h.gpu_model_key = $4)
       ORDER BY h.offer_id, h.block_number DESC, h.log_index DESC
     ) s ON s.active
     GROUP BY ts.t ORDER BY ts.t`,
    [range.from, range.to, step, range.gpuModel?.toLowerCase() ?? null],
  );
}

export async function priceIndex(db: Queryable, range: SeriesRange): Promise<PriceIndex> {
  const rows = await series(db, range);
  return {
    gpuModel: range.gpuModel ?? null,
    points: rows.map((r) => ({
      t: r.t,
      offers: r.offers,
      minXpl: r.min === null ? null : hourlyXpl(r.min),
      medianXpl: r.median === null ? null : hourlyXpl(r.median),
    })),
  };
}

export async function supply(db: Queryable, range: SeriesRange): Promise<Supply> {
  const rows = await series(db, range);
  return {
    gpuModel: range.gpuModel ?? null,
    points: rows.map((r) => ({
      t: r.t,
      gpus: r.gpus,
      gpusInUse: r.in_use,
      utilisation: r.gpus > 0 ? r.in_use / r.gpus : 0,
    })),
  };
}

/** When the first and the newest indexed blocks were made (null before the first round). */
export async function indexedTimes(db: Queryable): Promise<{ first: number | null; last: number | null }> {
  const rows = await db.query<{ first: number | null; last: number | null }>(
    "SELECT min(timestamp) AS first, max(timestamp) AS last FROM blocks",
  );
  return { first: rows[0]?.first ?? null, last: rows[0]?.last ?? null };
}

/** The chain's time as indexed: the newest block's timestamp (a devnet may run ahead of the clock). */
export async function chainTime(db: Queryable): Promise<number> {
  return (await indexedTimes(db)).last ?? Math.floor(Date.now() / 1000);
}
