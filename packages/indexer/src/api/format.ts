// Shapes database rows into the API's types: wei amounts into XPL strings, prices into GPU-hours.
import { END_REASON, VERIFICATION_MODES } from "@plasma/sdk";
import { formatUnits, parseUnits } from "viem";
import type { Address, LeaseSummary, Offer, Reputation } from "./types.ts";

/** XPL wei (a numeric column, a string) as a decimal XPL string. */
export function xpl(wei: unknown): string {
  return formatUnits(BigInt(String(wei ?? "0").split(".")[0] || "0"), 18);
}

/** A per-second price as XPL per GPU-hour, rounded to 6 decimals (per-second prices are whole wei). */
export function hourlyXpl(weiPerSecond: unknown): string {
  const perHour = BigInt(String(weiPerSecond ?? "0")) * 3600n;
  const unit = 10n ** 12n;
  return xpl(((perHour + unit / 2n) / unit) * unit);
}

/** An XPL-per-GPU-hour query value as the highest per-second price it allows, in wei. */
export function perSecondFromHourly(xplPerHour: string): bigint {
  return parseUnits(xplPerHour, 18) / 3600n;
}

export type OfferRow = {
  id: number;
  provider: string;
  endpoint: string | null;
  gpu_model: string;
  vram_gb: number;
  gpu_count: number;
  gpus_in_use: number;
  price_per_gpu_second: string;
  price_per_request: string;
  region: string;
  active: boolean;
  hardware_check_failed: boolean;
  reputation: number | null;
  stake: string | null;
  created_at: number;
};

export const OFFER_COLUMNS = `o.id, o.provider, p.endpoint, o.gpu_model, o.vram_gb, o.gpu_count, o.gpus_in_use,
  o.price_per_gpu_second::text, o.price_per_request::text, o.region, o.active, o.hardware_check_failed,
  p.reputation, p.stake::text, o.created_at`;

export function toOffer(r: OfferRow): Offer {
  return {
    id: r.id,
    provider: r.provider as Address,
    providerEndpoint: r.endpoint ?? "",
    gpuModel: r.gpu_model,
    vramGb: r.vram_gb,
    gpuCount: r.gpu_count,
    gpusInUse: r.gpus_in_use,
    freeGpus: Math.max(0, r.gpu_count - r.gpus_in_use),
    pricePerGpuSecondWei: r.price_per_gpu_second,
    pricePerGpuHourXpl: hourlyXpl(r.price_per_gpu_second),
    pricePerRequestXpl: xpl(r.price_per_request),
    region: r.region,
    active: r.active,
    hardwareCheckFailed: r.hardware_check_failed,
    reputation: r.reputation ?? 0.5,
    providerStakeXpl: xpl(r.stake),
    createdAt: r.created_at,
  };
}

export type ReputationRow = {
  clients: number;
  paid: string;
  completed: number;
  sampled: number;
  verified: number;
  failed: number;
  no_shows: number;
  reputation: number;
};

export function toReputation(r: ReputationRow): Reputation {
  return {
    completed: r.completed,
    sampled: r.sampled,
    verified: r.verified,
    failed: r.failed,
    noShows: r.no_shows,
    clients: r.clients,
    paidXpl: xpl(r.paid),
    score: r.reputation,
  };
}

export type LeaseRow = {
  id: number;
  offer_id: number;
  provider: string;
  client: string;
  gpu_model: string | null;
  gpus: number;
  max_seconds: number;
  escrow: string;
  state: LeaseSummary["state"];
  end_reason: number | null;
  paid: string | null;
  opened_at: number;
  verification: number;
  verification_outcome: string | null;
};

export const LEASE_COLUMNS = `l.id, l.offer_id, l.provider, l.client, o.gpu_model, l.gpus, l.max_seconds, l.escrow::text,
  l.state, l.end_reason, l.paid::text, l.opened_at, l.verification, l.verification_outcome`;

export function toLeaseSummary(r: LeaseRow): LeaseSummary {
  return {
    id: r.id,
    offerId: r.offer_id,
    provider: r.provider as Address,
    client: r.client as Address,
    gpuModel: r.gpu_model ?? "",
    gpus: r.gpus,
    maxSeconds: r.max_seconds,
    escrowXpl: xpl(r.escrow),
    state: r.state,
    endReason: r.end_reason === null ? null : (END_REASON[r.end_reason] ?? `reason-${r.end_reason}`),
    paidXpl: r.paid === null ? null : xpl(r.paid),
    openedAt: r.opened_at,
    verification: VERIFICATION_MODES[r.verification] ?? `mode-${r.verification}`,
    verificationOutcome: r.verification_outcome,
  };
}
