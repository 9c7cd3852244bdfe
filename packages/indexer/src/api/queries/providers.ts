// Providers: stake, delegations, reputation and earnings, with their offers and leases.
import type { Queryable } from "../../db/database.ts";
import {
  LEASE_COLUMNS,
  type LeaseRow,
  OFFER_COLUMNS,
  type OfferRow,
  type ReputationRow,
  toLeaseSummary,
  toOffer,
  toReputation,
  xpl,
} from "../format.ts";
import type { Address, ProviderDetail, ProviderPage, ProviderSummary } from "../types.ts";

export const PROVIDER_SORTS = ["stake", "reputation", "earned", "newest"] as const;
export type ProviderSort = (typeof PROVIDER_SORTS)[number];

const ORDER: Record<ProviderSort, string> = {
  stake: "p.stake DESC",
  reputation: "p.reputation DESC",
  earned: "p.earned DESC",
  newest: "p.registered_at DESC",
};

type ProviderRow = ReputationRow & {
  address: string;
  endpoint: string;
  attributes: string;
  registered_at: number;
  stake: string;
  unbonding: string;
  delegated: string;
  delegators: number;
  commission_bps: number;
  earned: string;
  slashed: string;
  rewards: string;
  request_revenue: string;
  leases: number;
  offers: number;
  gpus: number;
};

const COLUMNS = `p.address, p.endpoint, p.attributes, p.registered_at, p.stake::text, p.unbonding::text,
  p.delegated::text, p.commission_bps, p.earned::text, p.slashed::text, p.rewards::text, p.request_revenue::text,
  p.completed, p.sampled, p.verified, p.failed, p.no_shows, p.clients, p.paid::text, p.reputation,
  (SELECT count(*)::int FROM delegations d WHERE d.provider = p.address AND d.amount > 0) AS delegators,
  (SELECT count(*)::int FROM leases l WHERE l.provider = p.address) AS leases,
  (SELECT count(*)::int FROM offers o WHERE o.provider = p.address AND o.active) AS offers,
  (SELECT COALESCE(sum(o.gpu_count), 0)::int FROM offers o WHERE o.provider = p.address AND o.active) AS gpus`;

function toSummary(r: ProviderRow): ProviderSummary {
  return {
    address: r.address as Address,
    endpoint: r.endpoint,
    registeredAt: r.registered_at,
    stakeXpl: xpl(r.stake),
    unbondingXpl: xpl(r.unbonding),
    delegatedXpl: xpl(r.delegated),
    delegators: r.delegators,
    commissionBps: r.commission_bps,
    reputation: toReputation(r),
    earnedXpl: xpl(r.earned),
    leases: r.leases,
    offers: r.offers,
    gpus: r.gpus,
  };
}

export async function listProviders(
  db: Queryable,
  q: { sort: ProviderSort; limit: number; offset: number },
): Promise<ProviderPage> {
  const rows = await db.query<ProviderRow & { total: number }>(
    `SELECT ${COLUMNS}, count(*) OVER ()::int AS total FROM providers p
     ORDER BY ${ORDER[q.sort]}, p.address LIMIT $1 OFFSET $2`,
    [q.limit, q.offset],
  );
  const total =
    rows[0]?.total ?? (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM providers"))[0]?.n ?? 0;
  return { providers: rows.map(toSummary), total, limit: q.limit, offset: q.offset };
}

/** One provider with its delegations, offers and latest leases; undefined when it never registered. */
export async function getProvider(db: Queryable, address: string): Promise<ProviderDetail | undefined> {
  const row = (await db.query<ProviderRow>(`SELECT ${COLUMNS} FROM providers p WHERE p.address = $1`, [address]))[0];
  if (!row) return undefined;
  const [delegations, offers, leases] = await Promise.all([
    db.query<{ delegator: string; amount: string; shares: string }>(
      "SELECT delegator, amount::text, shares::text FROM delegations WHERE provider = $1 AND amount > 0 ORDER BY amount DESC",
      [address],
    ),
    db.query<OfferRow>(
      `SELECT ${OFFER_COLUMNS} FROM offers o LEFT JOIN providers p ON p.address = o.provider
       WHERE o.provider = $1 ORDER BY o.id`,
      [address],
    ),
    db.query<LeaseRow>(
      `SELECT ${LEASE_COLUMNS} FROM leases l LEFT JOIN offers o ON o.id = l.offer_id
       WHERE l.provider = $1 ORDER BY l.id DESC LIMIT 20`,
      [address],
    ),
  ]);
  return {
    ...toSummary(row),
    attributes: row.attributes,
    slashedXpl: xpl(row.slashed),
    rewardsXpl: xpl(row.rewards),
    requestRevenueXpl: xpl(row.request_revenue),
    delegations: delegations.map((d) => ({
      delegator: d.delegator as Address,
      amountXpl: xpl(d.amount),
      shares: d.shares,
    })),
    offersList: offers.map(toOffer),
    recentLeases: leases.map(toLeaseSummary),
  };
}
