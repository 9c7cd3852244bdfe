// Folds one stored event into the read model (providers, offers, leases, proposals…). Handlers use
// only the event and the tables, so replaying the events table in order rebuilds the same state.
import { VERIFICATION_STAGES, type VerificationStage } from "@plasma/sdk";
import { zeroAddress, zeroHash } from "viem";
import type { Queryable } from "../db/database.ts";
import type { EventArgs, IndexedEvent } from "../sync/decode.ts";

type Handler = (db: Queryable, e: IndexedEvent, arg: (key: string) => string) => Promise<void>;

/** The read-model tables, in the order a rebuild empties them. */
export const READ_MODEL_TABLES = [
  "votes",
  "proposals",
  "channels",
  "validators",
  "delegations",
  "leases",
  "offer_history",
  "offers",
  "providers",
  "totals",
] as const;

/** What a lease's verification outcome is called, by the VerificationManager stage that ended it. */
const OUTCOME: Partial<Record<VerificationStage, string>> = {
  released: "released",
  verified: "passed",
  failed: "failed",
  refunded: "refunded",
};

async function addTotal(db: Queryable, key: string, amount: string): Promise<void> {
  await db.query(
    "INSERT INTO totals (key, value) VALUES ($1, $2::numeric) ON CONFLICT (key) DO UPDATE SET value = totals.value + EXCLUDED.value",
    [key, amount],
  );
}

/** Appends the offer's current state to its history (the price index and supply charts read it). */
async function snapshotOffer(db: Queryable, e: IndexedEvent, offerId: string): Promise<void> {
  await db.query(
    `INSERT INTO offer_history (offer_id, block_number, log_index, timestamp, gpu_model, gpu_model_key,
       price_per_gpu_second, gpu_count, gpus_in_use, active)
     SELECT id, $2, $3, $4, gpu_model, gpu_model_key, price_per_gpu_second, gpu_count, gpus_in_use, active
     FROM offers WHERE id = $1
     ON CONFLICT DO NOTHING`,
    [offerId, e.blockNumber, e.logIndex, e.timestamp],
  );
}

/**
 * Recomputes the provider's reputation score, 0..1 (0.5 with no record), from its ended leases:
 * value that passed verification against value that failed, times value completed against the escrow
 * of no-shows, where passed and completed value count only as far as distinct paying clients back it
 * (clients / (clients + 2)), so self-dealt 1-second leases cannot farm it. The formula is the SQL
 * function refresh_reputation (migrations/0003_reputation_by_value.sql).
 */
async function updateReputation(db: Queryable, provider: string): Promise<void> {
  await db.query("SELECT refresh_reputation($1)", [provider]);
}

const handlers: Record<string, Handler> = {
  // ---------------------------------------------------------------- provider registry
  "providerRegistry.ProviderRegistered": async (db, e, a) => {
    await db.query(
      `INSERT INTO providers (address, endpoint, attributes, registered_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (address) DO UPDATE SET endpoint = EXCLUDED.endpoint, attributes = EXCLUDED.attributes`,
      [a("provider"), a("endpoint"), a("attributes"), e.timestamp],
    );
  },
  "providerRegistry.ProviderUpdated": async (db, _e, a) => {
    await db.query("UPDATE providers SET endpoint = $2, attributes = $3 WHERE address = $1", [
      a("provider"),
      a("endpoint"),
      a("attributes"),
    ]);
  },
  "providerRegistry.Staked": async (db, _e, a) => {
    await db.query("UPDATE providers SET stake = $2 WHERE address = $1", [a("provider"), a("newStake")]);
  },
  "providerRegistry.UnstakeRequested": async (db, _e, a) => {
    await db.query("UPDATE providers SET stake = $2, unbonding = $3 WHERE address = $1", [
      a("provider"),
      a("newStake"),
      a("unbonding"),
    ]);
  },
  "providerRegistry.Withdrawn": async (db, _e, a) => {
    await db.query("UPDATE providers SET unbonding = GREATEST(unbonding - $2::numeric, 0) WHERE address = $1", [
      a("provider"),
      a("amount"),
    ]);
  },
  "providerRegistry.Slashed": async (db, _e, a) => {
    await db.query(
      "UPDATE providers SET stake = $2, unbonding = $3, slashed = slashed + $4::numeric WHERE address = $1",
      [a("provider"), a("newStake"), a("newUnbonding"), a("amount")],
    );
    await addTotal(db, "slashed", a("amount"));
  },
  "providerRegistry.CommissionChanged": async (db, _e, a) => {
    await db.query("UPDATE providers SET commission_bps = $2 WHERE address = $1", [a("provider"), a("commissionBps")]);
  },
  "providerRegistry.OfferCreated": async (db, e, a) => {
    await db.query(
      `INSERT INTO offers (id, provider, gpu_model, gpu_model_key, vram_gb, gpu_count, price_per_gpu_second, region,
         region_key, created_at)
       VALUES ($1, $2, $3, lower($3), $4, $5, $6, $7, lower($7), $8)`,
      [
        a("offerId"),
        a("provider"),
        a("gpuModel"),
        a("vramGb"),
        a("gpuCount"),
        a("pricePerGpuSecond"),
        a("region"),
        e.timestamp,
      ],
    );
    await snapshotOffer(db, e, a("offerId"));
  },
  "providerRegistry.OfferUpdated": async (db, e, a) => {
    await db.query("UPDATE offers SET price_per_gpu_second = $2, gpu_count = $3, active = $4 WHERE id = $1", [
      a("offerId"),
      a("pricePerGpuSecond"),
      a("gpuCount"),
      a("active") === "true",
    ]);
    await snapshotOffer(db, e, a("offerId"));
  },
  "providerRegistry.OfferRequestPriceSet": async (db, _e, a) => {
    await db.query("UPDATE offers SET price_per_request = $2 WHERE id = $1", [a("offerId"), a("pricePerRequest")]);
  },
  "providerRegistry.CapacityReserved": async (db, e, a) => {
    await db.query("UPDATE offers SET gpus_in_use = $2 WHERE id = $1", [a("offerId"), a("gpusInUse")]);
    await snapshotOffer(db, e, a("offerId"));
  },
  "providerRegistry.Delegated": async (db, _e, a) => {
    await db.query(
      `INSERT INTO delegations (provider, delegator, amount, shares) VALUES ($1, $2, $3, $4)
       ON CONFLICT (provider, delegator) DO UPDATE
       SET amount = delegations.amount + EXCLUDED.amount, shares = delegations.shares + EXCLUDED.shares`,
      [a("provider"), a("delegator"), a("amount"), a("shares")],
    );
    await db.query("UPDATE providers SET delegated = delegated + $2::numeric WHERE address = $1", [
      a("provider"),
      a("amount"),
    ]);
  },
  "providerRegistry.UndelegationRequested": async (db, _e, a) => {
    // The event carries the amount only; the shares go down in the same proportion.
    await db.query(
      `UPDATE delegations SET shares = CASE WHEN amount > 0 THEN shares - trunc(shares * $3::numeric / amount) ELSE 0 END,
         amount = GREATEST(amount - $3::numeric, 0)
       WHERE provider = $1 AND delegator = $2`,
      [a("provider"), a("delegator"), a("amount")],
    );
    await db.query("UPDATE providers SET delegated = GREATEST(delegated - $2::numeric, 0) WHERE address = $1", [
      a("provider"),
      a("amount"),
    ]);
  },
  "providerRegistry.DelegationsSlashed": async (db, _e, a) => {
    // Every active delegation loses the same fraction of its amount.
    await db.query(
      `UPDATE delegations d SET amount = d.amount - trunc(d.amount * $2::numeric / p.delegated)
       FROM providers p WHERE p.address = d.provider AND d.provider = $1 AND p.delegated > 0`,
      [a("provider"), a("fromActive")],
    );
    await db.query("UPDATE providers SET delegated = GREATEST(delegated - $2::numeric, 0) WHERE address = $1", [
      a("provider"),
      a("fromActive"),
    ]);
    await addTotal(db, "slashed", (BigInt(a("fromActive")) + BigInt(a("fromUnbonding"))).toString());
  },

  // ---------------------------------------------------------------- compute market
  "computeMarket.LeaseOpened": async (db, e, a) => {
    await db.query(
      `INSERT INTO leases (id, offer_id, provider, client, gpus, max_seconds, price_per_gpu_second, escrow, spec_hash,
         builder, verification, state, opened_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'open', $12)`,
      [
        a("leaseId"),
        a("offerId"),
        a("provider"),
        a("client"),
        a("gpus"),
        a("maxSeconds"),
        a("pricePerGpuSecond"),
        a("escrow"),
        a("specHash"),
        a("builder"),
        a("verification"),
        e.timestamp,
      ],
    );
  },
  "computeMarket.LeaseStarted": async (db, _e, a) => {
    await db.query("UPDATE leases SET state = 'running', started_at = $2 WHERE id = $1", [
      a("leaseId"),
      a("startedAt"),
    ]);
  },
  "computeMarket.LeaseEnded": async (db, e, a) => {
    const resultHash = a("resultHash");
    await db.query(
      `UPDATE leases SET state = 'ended', ended_at = $2, end_reason = $3,
         paid = $4, refund = $5, penalty = $6, result_hash = $7
       WHERE id = $1`,
      [
        a("leaseId"),
        e.timestamp,
        a("reason"),
        a("paid"),
        a("refund"),
        a("penalty"),
        resultHash === zeroHash ? null : resultHash,
      ],
    );
    if (a("reason") === "1") {
      await db.query("UPDATE providers SET completed = completed + 1 WHERE address = $1", [a("provider")]);
    }
    // Every ended lease counts: what it paid (settled just before it ended), and a no-show's escrow.
    await updateReputation(db, a("provider"));
  },
  "computeMarket.LeaseSettled": async (db, _e, a) => {
    await db.query(
      `UPDATE leases SET gross = gross + $2::numeric, provider_amount = provider_amount + $3::numeric,
         protocol_fee = protocol_fee + $4::numeric, builder_fee = builder_fee + $5::numeric, settled = true
       WHERE id = $1`,
      [a("leaseId"), a("gross"), a("providerAmount"), a("protocolFee"), a("builderFee")],
    );
    await db.query("UPDATE providers SET earned = earned + $2::numeric WHERE address = $1", [
      a("provider"),
      a("providerAmount"),
    ]);
    await addTotal(db, "volume", a("gross"));
    await addTotal(db, "protocol_fees", a("protocolFee"));
  },

  // ---------------------------------------------------------------- verification
  "verificationManager.LeaseSampled": async (db, _e, a) => {
    const sampled = a("sampled") === "true";
    const rows = await db.query<{ provider: string }>(
      "UPDATE leases SET verification_outcome = $2 WHERE id = $1 RETURNING provider",
      [a("leaseId"), sampled ? "pending" : "not-sampled"],
    );
    if (sampled && rows[0])
      await db.query("UPDATE providers SET sampled = sampled + 1 WHERE address = $1", [rows[0].provider]);
  },
  "verificationManager.VerificationEnded": async (db, _e, a) => {
    const outcome = OUTCOME[VERIFICATION_STAGES[Number(a("outcome"))] ?? "released"] ?? "released";
    await db.query(
      `UPDATE leases SET verification_outcome = CASE WHEN verification_outcome = 'not-sampled' AND $2 = 'released'
         THEN verification_outcome ELSE $2 END WHERE id = $1`,
      [a("leaseId"), outcome],
    );
    if (outcome === "passed")
      await db.query("UPDATE providers SET verified = verified + 1 WHERE address = $1", [a("provider")]);
    if (outcome === "failed")
      await db.query("UPDATE providers SET failed = failed + 1 WHERE address = $1", [a("provider")]);
    await updateReputation(db, a("provider"));
  },
  "verificationManager.DisputeAwaitingValidator": async (db, _e, a) => {
    // A dispute with no second validator to draw: its payout stays locked until a verdict or the fallback refund.
    await db.query("UPDATE leases SET verification_outcome = 'disputed' WHERE id = $1", [a("leaseId")]);
  },
  "verificationManager.NoShowRecorded": async (db, _e, a) => {
    // The event carries the chain's count, so a replay sets the same number.
    await db.query("UPDATE providers SET no_shows = $2 WHERE address = $1", [a("provider"), a("noShows")]);
  },

  // ---------------------------------------------------------------- validator set and hardware checks
  "validatorSet.ValidatorStaked": async (db, _e, a) => {
    await db.query(
      "INSERT INTO validators (address, stake) VALUES ($1, $2) ON CONFLICT (address) DO UPDATE SET stake = EXCLUDED.stake",
      [a("validator"), a("stake")],
    );
  },
  "validatorSet.ValidatorWithdrawn": async (db, _e, a) => {
    await db.query("UPDATE validators SET stake = GREATEST(stake - $2::numeric, 0) WHERE address = $1", [
      a("validator"),
      a("amount"),
    ]);
  },
  // Every slash of a validator (a lost verification dispute, an overturned hardware report) is taken here.
  "validatorSet.ValidatorSlashed": async (db, _e, a) => {
    await db.query(
      "UPDATE validators SET stake = GREATEST(stake - $2::numeric, 0), slashed = slashed + $2::numeric WHERE address = $1",
      [a("validator"), a("amount")],
    );
    await addTotal(db, "slashed", a("amount"));
  },
  "validatorSet.ValidatorPenalized": async (db, _e, a) => {
    await db.query("UPDATE validators SET stake = GREATEST(stake - $2::numeric, 0) WHERE address = $1", [
      a("validator"),
      a("amount"),
    ]);
  },
  "validatorSet.ValidatorExitRequested": async (db, _e, a) => {
    await db.query("UPDATE validators SET exit_at = $2 WHERE address = $1", [a("validator"), a("exitAt")]);
  },
  // The latest report decides: a re-check that passes an offer follows the report it overturns.
  "hardwareChecks.HardwareChecked": async (db, _e, a) => {
    await db.query("UPDATE offers SET hardware_check_failed = $2 WHERE id = $1", [
      a("offerId"),
      a("passed") !== "true",
    ]);
  },

  // ---------------------------------------------------------------- payment channels
  "paymentChannels.ChannelOpened": async (db, _e, a) => {
    await db.query("INSERT INTO channels (id, client, provider, deposit) VALUES ($1, $2, $3, $4)", [
      a("channelId"),
      a("client"),
      a("provider"),
      a("deposit"),
    ]);
  },
  "paymentChannels.ChannelToppedUp": async (db, _e, a) => {
    await db.query("UPDATE channels SET deposit = $2 WHERE id = $1", [a("channelId"), a("deposit")]);
  },
  "paymentChannels.VoucherRedeemed": async (db, _e, a) => {
    await db.query("UPDATE channels SET redeemed = $2 WHERE id = $1", [a("channelId"), a("cumulativeAmount")]);
    await db.query("UPDATE providers SET request_revenue = request_revenue + $2::numeric WHERE address = $1", [
      a("provider"),
      a("providerAmount"),
    ]);
    await addTotal(db, "volume", a("paid"));
    await addTotal(db, "protocol_fees", a("fee"));
  },
  "paymentChannels.ChannelCloseRequested": async (db, _e, a) => {
    await db.query("UPDATE channels SET closes_at = $2 WHERE id = $1", [a("channelId"), a("closesAt")]);
  },
  "paymentChannels.ChannelClosed": async (db, _e, a) => {
    await db.query("UPDATE channels SET closed = true WHERE id = $1", [a("channelId")]);
  },

  // ---------------------------------------------------------------- rewards
  "rewardsDistributor.RewardDistributed": async (db, _e, a) => {
    await db.query("UPDATE providers SET rewards = rewards + $2::numeric WHERE address = $1", [
      a("provider"),
      a("toProvider"),
    ]);
  },

  // ---------------------------------------------------------------- token and governance
  "xplToken.Transfer": async (db, _e, a) => {
    if (a("from") === zeroAddress) await addTotal(db, "xpl_supply", a("value"));
    if (a("to") === zeroAddress) await addTotal(db, "xpl_supply", `-${a("value")}`);
  },
  "governor.QuorumNumeratorUpdated": async (db, _e, a) => {
    await db.query(
      "INSERT INTO totals (key, value) VALUES ('quorum_percent', $1) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
      [a("newQuorumNumerator")],
    );
  },
  "governor.ProposalCreated": async (db, e, a) => {
    const list = (key: string) => JSON.stringify(e.args[key] ?? []);
    // Quorum as the governor computes it: a share of the XPL supply (supply is fixed after deployment).
    await db.query(
      `INSERT INTO proposals (id, proposer, description, targets, "values", calldatas, vote_start, vote_end, quorum, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8,
         COALESCE((SELECT trunc(s.value * q.value / 100) FROM totals s, totals q
                   WHERE s.key = 'xpl_supply' AND q.key = 'quorum_percent'), 0), $9)`,
      [
        a("proposalId"),
        a("proposer"),
        a("description"),
        list("targets"),
        list("values"),
        list("calldatas"),
        a("voteStart"),
        a("voteEnd"),
        e.timestamp,
      ],
    );
  },
  "governor.VoteCast": castVote,
  "governor.VoteCastWithParams": castVote,
  "governor.ProposalQueued": async (db, _e, a) => {
    await db.query("UPDATE proposals SET queued_eta = $2 WHERE id = $1", [a("proposalId"), a("etaSeconds")]);
  },
  "governor.ProposalExecuted": async (db, _e, a) => {
    await db.query("UPDATE proposals SET executed = true WHERE id = $1", [a("proposalId")]);
  },
  "governor.ProposalCanceled": async (db, _e, a) => {
    await db.query("UPDATE proposals SET canceled = true WHERE id = $1", [a("proposalId")]);
  },
};
handlers["providerRegistry.CapacityReleased"] = handlers["providerRegistry.CapacityReserved"] as Handler;

async function castVote(db: Queryable, e: IndexedEvent, a: (key: string) => string): Promise<void> {
  const column = ["against_votes", "for_votes", "abstain_votes"][Number(a("support"))];
  if (!column) return;
  await db.query(
    "INSERT INTO votes (proposal_id, voter, support, weight, reason, timestamp) VALUES ($1, $2, $3, $4, $5, $6)",
    [a("proposalId"), a("voter"), a("support"), a("weight"), a("reason"), e.timestamp],
  );
  await db.query(`UPDATE proposals SET ${column} = ${column} + $2::numeric WHERE id = $1`, [
    a("proposalId"),
    a("weight"),
  ]);
}

/** Event types that change the read model; every other event is kept in the events table only. */
export const HANDLED_EVENT_TYPES = Object.keys(handlers);

/** Applies one event to the read model (a no-op for events that only the events table records). */
export async function applyEvent(db: Queryable, event: IndexedEvent): Promise<void> {
  const handler = handlers[`${event.contract}.${event.name}`];
  if (!handler) return;
  await handler(db, event, (key) => argString(event.args, key, event));
}

function argString(args: EventArgs, key: string, event: IndexedEvent): string {
  const value = args[key];
  if (value === undefined) throw new Error(`${event.contract}.${event.name} has no argument "${key}".`);
  return String(value);
}
