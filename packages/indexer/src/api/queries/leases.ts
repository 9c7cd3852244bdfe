// Leases: lists by client, provider and state, and one lease with its timeline of chain events.
import type { Queryable } from "../../db/database.ts";
import { hourlyXpl, LEASE_COLUMNS, type LeaseRow, toLeaseSummary, xpl } from "../format.ts";
import type { Address, LeaseDetail, LeasePage, LeaseState } from "../types.ts";

export type LeaseQuery = {
  client?: string | undefined;
  provider?: string | undefined;
  state?: LeaseState | undefined;
  limit: number;
  offset: number;
};

export async function listLeases(db: Queryable, q: LeaseQuery): Promise<LeasePage> {
  const where: string[] = [];
  const params: unknown[] = [];
  for (const [column, value] of [
    ["l.client", q.client],
    ["l.provider", q.provider],
    ["l.state", q.state],
  ] as const) {
    if (value === undefined) continue;
    params.push(value);
    where.push(`${column} = $${params.length}`);
  }
  const filter = where.length ? `WHERE ${where.join(" AND ")}` : "";
  const [rows, count] = await Promise.all([
    db.query<LeaseRow>(
      `SELECT ${LEASE_COLUMNS} FROM leases l LEFT JOIN offers o ON o.id = l.offer_id ${filter}
       ORDER BY l.id DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, q.limit, q.offset],
    ),
    db.query<{ n: number }>(`SELECT count(*)::int AS n FROM leases l ${filter}`, params),
  ]);
  return { leases: rows.map(toLeaseSummary), total: count[0]?.n ?? 0, limit: q.limit, offset: q.offset };
}

type DetailRow = LeaseRow & {
  endpoint: string | null;
  spec_hash: string;
  builder: string;
  price_per_gpu_second: string;
  started_at: number | null;
  ended_at: number | null;
  refund: string | null;
  penalty: string | null;
  result_hash: string | null;
  gross: string;
  provider_amount: string;
  protocol_fee: string;
  builder_fee: string;
  settled: boolean;
};

/** One lease; undefined when no such lease was opened. */
export async function getLease(db: Queryable, id: number): Promise<LeaseDetail | undefined> {
  const row = (
    await db.query<DetailRow>(
      `SELECT ${LEASE_COLUMNS}, p.endpoint, l.spec_hash, l.builder, l.price_per_gpu_second::text, l.started_at, l.ended_at,
         l.refund::text, l.penalty::text, l.result_hash, l.gross::text, l.provider_amount::text,
         l.protocol_fee::text, l.builder_fee::text, l.settled
       FROM leases l LEFT JOIN offers o ON o.id = l.offer_id LEFT JOIN providers p ON p.address = l.provider
       WHERE l.id = $1`,
      [id],
    )
  )[0];
  if (!row) return undefined;
  const events = await db.query<{
    name: string;
    timestamp: number;
    block_number: number;
    tx_hash: string;
    args: Record<string, unknown>;
  }>(
    "SELECT name, timestamp, block_number, tx_hash, args FROM events WHERE lease_id = $1 ORDER BY block_number, log_index",
    [id],
  );
  return {
    ...toLeaseSummary(row),
    providerEndpoint: row.endpoint ?? "",
    specHash: row.spec_hash,
    builder: row.builder as Address,
    pricePerGpuHourXpl: hourlyXpl(row.price_per_gpu_second),
    startedAt: row.started_at,
    endedAt: row.ended_at,
    refundXpl: row.refund === null ? null : xpl(row.refund),
    penaltyXpl: row.penalty === null ? null : xpl(row.penalty),
    resultHash: row.result_hash,
    settlement: row.settled
      ? {
          grossXpl: xpl(row.gross),
          providerXpl: xpl(row.provider_amount),
          protocolFeeXpl: xpl(row.protocol_fee),
          builderFeeXpl: xpl(row.builder_fee),
        }
      : null,
    timeline: events.map((e) => ({
      name: e.name,
      t: e.timestamp,
      block: e.block_number,
      txHash: e.tx_hash,
      args: Object.fromEntries(Object.entries(e.args).map(([k, v]) => [k, String(v)])),
    })),
  };
}
