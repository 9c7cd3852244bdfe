// Network-wide numbers and governance proposals.
import type { Queryable } from "../../db/database.ts";
import { xpl } from "../format.ts";
import type { Address, NetworkStats, ProposalDetail, ProposalPage, ProposalSummary } from "../types.ts";
import { chainTime } from "./market.ts";

export async function networkStats(db: Queryable): Promise<NetworkStats> {
  const [row] = await db.query<{
    providers: number;
    active_offers: number;
    gpus: number;
    in_use: number;
    leases: number;
    open: number;
    running: number;
    ended: number;
    staked: string;
    delegated: string;
    validators: number;
    proposals: number;
    volume: string | null;
    fees: string | null;
    slashed: string | null;
  }>(
    `SELECT
       (SELECT count(*)::int FROM providers) AS providers,
       (SELECT count(*)::int FROM offers WHERE active) AS active_offers,
       (SELECT COALESCE(sum(gpu_count), 0)::int FROM offers WHERE active) AS gpus,
       (SELECT COALESCE(sum(gpus_in_use), 0)::int FROM offers) AS in_use,
       (SELECT count(*)::int FROM leases) AS leases,
       (SELECT count(*)::int FROM leases WHERE state = 'open') AS open,
       (SELECT count(*)::int FROM leases WHERE state = 'running') AS running,
       (SELECT count(*)::int FROM leases WHERE state = 'ended') AS ended,
       (SELECT COALESCE(sum(stake), 0)::text FROM providers) AS staked,
       (SELECT COALESCE(sum(delegated), 0)::text FROM providers) AS delegated,
       (SELECT count(*)::int FROM validators WHERE stake > 0) AS validators,
       (SELECT count(*)::int FROM proposals) AS proposals,
       (SELECT value::text FROM totals WHERE key = 'volume') AS volume,
       (SELECT value::text FROM totals WHERE key = 'protocol_fees') AS fees,
       (SELECT value::text FROM totals WHERE key = 'slashed') AS slashed`,
  );
  if (!row) throw new Error("The stats query returned no row.");
  return {
    providers: row.providers,
    activeOffers: row.active_offers,
    gpus: row.gpus,
    gpusInUse: row.in_use,
    leases: { total: row.leases, open: row.open, running: row.running, ended: row.ended },
    volumeXpl: xpl(row.volume),
    protocolFeesXpl: xpl(row.fees),
    stakedXpl: xpl(row.staked),
    delegatedXpl: xpl(row.delegated),
    slashedXpl: xpl(row.slashed),
    validators: row.validators,
    proposals: row.proposals,
  };
}

type ProposalRow = {
  id: string;
  proposer: string;
  description: string;
  vote_start: number;
  vote_end: number;
  for_votes: string;
  against_votes: string;
  abstain_votes: string;
  quorum: string;
  created_at: number;
  queued_eta: number | null;
  executed: boolean;
  canceled: boolean;
};

const COLUMNS = `id, proposer, description, vote_start, vote_end, for_votes::text, against_votes::text,
  abstain_votes::text, quorum::text, created_at, queued_eta, executed, canceled`;

/** The governor's state machine, evaluated at the chain's time (votes and quorum as the governor counts them). */
function stateOf(r: ProposalRow, now: number): ProposalSummary["state"] {
  if (r.canceled) return "canceled";
  if (r.executed) return "executed";
  if (r.queued_eta !== null) return "queued";
  if (now < r.vote_start) return "pending";
  if (now <= r.vote_end) return "active";
  const forVotes = BigInt(r.for_votes);
  const reached = forVotes + BigInt(r.abstain_votes) >= BigInt(r.quorum);
  return reached && forVotes > BigInt(r.against_votes) ? "succeeded" : "defeated";
}

function toSummary(r: ProposalRow, now: number): ProposalSummary {
  return {
    id: r.id,
    proposer: r.proposer as Address,
    description: r.description,
    state: stateOf(r, now),
    voteStart: r.vote_start,
    voteEnd: r.vote_end,
    forVotes: xpl(r.for_votes),
    againstVotes: xpl(r.against_votes),
    abstainVotes: xpl(r.abstain_votes),
    createdAt: r.created_at,
  };
}

export async function listProposals(db: Queryable, q: { limit: number; offset: number }): Promise<ProposalPage> {
  const [rows, count, now] = await Promise.all([
    db.query<ProposalRow>(`SELECT ${COLUMNS} FROM proposals ORDER BY created_at DESC, id LIMIT $1 OFFSET $2`, [
      q.limit,
      q.offset,
    ]),
    db.query<{ n: number }>("SELECT count(*)::int AS n FROM proposals"),
    chainTime(db),
  ]);
  return { proposals: rows.map((r) => toSummary(r, now)), total: count[0]?.n ?? 0, limit: q.limit, offset: q.offset };
}

export async function getProposal(db: Queryable, id: string): Promise<ProposalDetail | undefined> {
  const row = (
    await db.query<ProposalRow & { targets: string[]; values: string[]; calldatas: string[] }>(
      `SELECT ${COLUMNS}, targets, "values", calldatas FROM proposals WHERE id = $1`,
      [id],
    )
  )[0];
  if (!row) return undefined;
  const [votes, now] = await Promise.all([
    db.query<{ voter: string; support: number; weight: string; reason: string; timestamp: number }>(
      "SELECT voter, support, weight::text, reason, timestamp FROM votes WHERE proposal_id = $1 ORDER BY timestamp, voter",
      [id],
    ),
    chainTime(db),
  ]);
  const support = ["against", "for", "abstain"] as const;
  return {
    ...toSummary(row, now),
    actions: row.targets.map((target, i) => ({
      target: target as Address,
      value: row.values[i] ?? "0",
      calldata: row.calldatas[i] ?? "0x",
    })),
    votes: votes.map((v) => ({
      voter: v.voter as Address,
      support: support[v.support] ?? "abstain",
      weight: xpl(v.weight),
      reason: v.reason,
      t: v.timestamp,
    })),
    queuedEta: row.queued_eta,
  };
}
