// The API's answers as zod schemas, for its OpenAPI description. Each is checked against its type in
// types.ts (`satisfies`), and the API tests parse every answer with them, so the description cannot
// drift from what the server sends.
import { z } from "zod";
import {
  type ApiErrorBody,
  type GpuModelSummary,
  LEASE_STATES,
  type LeaseDetail,
  type LeasePage,
  type LeaseSummary,
  type NetworkInfo,
  type NetworkStats,
  type Offer,
  type OfferPage,
  type PriceIndex,
  type ProposalDetail,
  type ProposalPage,
  type ProposalSummary,
  type ProviderDetail,
  type ProviderPage,
  type ProviderSummary,
  type Supply,
} from "./types.ts";

const address = z.templateLiteral(["0x", z.string()]).describe("an EVM address");
const xpl = z.string().describe("XPL, a decimal string");
const time = z.number().int().describe("unix seconds");
const page = { total: z.number().int(), limit: z.number().int(), offset: z.number().int() };

export const networkInfoSchema = z.object({
  chainId: z.number().int(),
  rpcUrl: z.string(),
  deployer: address,
  deployedAtBlock: z.number().int(),
  contracts: z.record(z.string(), address),
  devAccounts: z.array(z.object({ name: z.string(), address })),
  indexer: z.object({
    block: z.number().int(),
    headBlock: z.number().int().nullable(),
    lagBlocks: z.number().int().nullable(),
    syncedAt: time.nullable(),
  }),
}) satisfies z.ZodType<NetworkInfo>;

export const offerSchema = z.object({
  id: z.number().int(),
  provider: address,
  providerEndpoint: z.string(),
  gpuModel: z.string(),
  vramGb: z.number().int(),
  gpuCount: z.number().int(),
  gpusInUse: z.number().int(),
  freeGpus: z.number().int(),
  pricePerGpuSecondWei: z.string(),
  pricePerGpuHourXpl: xpl,
  pricePerRequestXpl: xpl,
  region: z.string(),
  active: z.boolean(),
  hardwareCheckFailed: z.boolean(),
  reputation: z.number(),
  providerStakeXpl: xpl,
  createdAt: time,
}) satisfies z.ZodType<Offer>;

export const offerPageSchema = z.object({ offers: z.array(offerSchema), ...page }) satisfies z.ZodType<OfferPage>;

export const gpuModelsSchema = z.object({
  gpuModels: z.array(
    z.object({
      gpuModel: z.string(),
      offers: z.number().int(),
      gpus: z.number().int(),
      freeGpus: z.number().int(),
      minPricePerGpuHourXpl: xpl,
      medianPricePerGpuHourXpl: xpl,
    }) satisfies z.ZodType<GpuModelSummary>,
  ),
});

export const priceIndexSchema = z.object({
  gpuModel: z.string().nullable(),
  points: z.array(z.object({ t: time, offers: z.number().int(), minXpl: xpl.nullable(), medianXpl: xpl.nullable() })),
}) satisfies z.ZodType<PriceIndex>;

export const supplySchema = z.object({
  gpuModel: z.string().nullable(),
  points: z.array(z.object({ t: time, gpus: z.number().int(), gpusInUse: z.number().int(), utilisation: z.number() })),
}) satisfies z.ZodType<Supply>;

const reputation = z.object({
  completed: z.number().int(),
  sampled: z.number().int(),
  verified: z.number().int(),
  failed: z.number().int(),
  noShows: z.number().int().describe("leases the provider did not start by their deadline"),
  clients: z.number().int().describe("distinct clients, other than the provider, that paid for its ended leases"),
  paidXpl: xpl.describe("value paid for its ended leases"),
  score: z
    .number()
    .describe(
      "0..1, 0.5 with no record: value passed vs failed verification times value completed vs no-show escrow, passes and completions weighted by clients / (clients + 2)",
    ),
});

const providerSummary = z.object({
  address,
  endpoint: z.string(),
  registeredAt: time,
  stakeXpl: xpl,
  unbondingXpl: xpl,
  delegatedXpl: xpl,
  delegators: z.number().int(),
  commissionBps: z.number().int(),
  reputation,
  earnedXpl: xpl,
  leases: z.number().int(),
  offers: z.number().int(),
  gpus: z.number().int(),
}) satisfies z.ZodType<ProviderSummary>;

export const providerPageSchema = z.object({
  providers: z.array(providerSummary),
  ...page,
}) satisfies z.ZodType<ProviderPage>;

const leaseSummary = z.object({
  id: z.number().int(),
  offerId: z.number().int(),
  provider: address,
  client: address,
  gpuModel: z.string(),
  gpus: z.number().int(),
  maxSeconds: z.number().int(),
  escrowXpl: xpl,
  state: z.enum(LEASE_STATES),
  endReason: z.string().nullable(),
  paidXpl: xpl.nullable(),
  openedAt: time,
  verification: z.string(),
  verificationOutcome: z.string().nullable(),
}) satisfies z.ZodType<LeaseSummary>;

export const providerDetailSchema = providerSummary.extend({
  attributes: z.string(),
  slashedXpl: xpl,
  rewardsXpl: xpl,
  requestRevenueXpl: xpl,
  delegations: z.array(z.object({ delegator: address, amountXpl: xpl, shares: z.string() })),
  offersList: z.array(offerSchema),
  recentLeases: z.array(leaseSummary),
}) satisfies z.ZodType<ProviderDetail>;

export const leasePageSchema = z.object({ leases: z.array(leaseSummary), ...page }) satisfies z.ZodType<LeasePage>;

export const leaseDetailSchema = leaseSummary.extend({
  providerEndpoint: z.string(),
  specHash: z.string(),
  builder: address,
  pricePerGpuHourXpl: xpl,
  startedAt: time.nullable(),
  endedAt: time.nullable(),
  refundXpl: xpl.nullable(),
  penaltyXpl: xpl.nullable(),
  resultHash: z.string().nullable(),
  settlement: z.object({ grossXpl: xpl, providerXpl: xpl, protocolFeeXpl: xpl, builderFeeXpl: xpl }).nullable(),
  timeline: z.array(
    z.object({
      name: z.string(),
      t: time,
      block: z.number().int(),
      txHash: z.string(),
      args: z.record(z.string(), z.string()),
    }),
  ),
}) satisfies z.ZodType<LeaseDetail>;

export const networkStatsSchema = z.object({
  providers: z.number().int(),
  activeOffers: z.number().int(),
  gpus: z.number().int(),
  gpusInUse: z.number().int(),
  leases: z.object({
    total: z.number().int(),
    open: z.number().int(),
    running: z.number().int(),
    ended: z.number().int(),
  }),
  volumeXpl: xpl,
  protocolFeesXpl: xpl,
  stakedXpl: xpl,
  delegatedXpl: xpl,
  slashedXpl: xpl,
  validators: z.number().int(),
  proposals: z.number().int(),
}) satisfies z.ZodType<NetworkStats>;

const proposalSummary = z.object({
  id: z.string(),
  proposer: address,
  description: z.string(),
  state: z.enum(["pending", "active", "defeated", "succeeded", "queued", "executed", "canceled"]),
  voteStart: time,
  voteEnd: time,
  forVotes: xpl,
  againstVotes: xpl,
  abstainVotes: xpl,
  createdAt: time,
}) satisfies z.ZodType<ProposalSummary>;

export const proposalPageSchema = z.object({
  proposals: z.array(proposalSummary),
  ...page,
}) satisfies z.ZodType<ProposalPage>;

export const proposalDetailSchema = proposalSummary.extend({
  actions: z.array(z.object({ target: address, value: z.string(), calldata: z.string() })),
  votes: z.array(
    z.object({
      voter: address,
      support: z.enum(["against", "for", "abstain"]),
      weight: xpl,
      reason: z.string(),
      t: time,
    }),
  ),
  queuedEta: time.nullable(),
}) satisfies z.ZodType<ProposalDetail>;

export const apiErrorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
}) satisfies z.ZodType<ApiErrorBody>;
