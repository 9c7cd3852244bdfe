// What the HTTP API answers, endpoint by endpoint. The web app imports these types (types only), so
// a change here that the app does not follow fails its type check. Amounts are strings: `…Wei` in XPL
// wei (18 decimals), `…Xpl` the same amount as a decimal XPL string ("0.36"). Times are unix seconds.

export type Address = `0x${string}`;

/** `GET /api/v1/network`: what the web app needs to reach the chain, and the indexer's progress. */
export type NetworkInfo = {
  chainId: number;
  rpcUrl: string;
  deployer: Address;
  deployedAtBlock: number;
  /** The contract addresses, named as in the SDK's `Deployment["contracts"]`. */
  contracts: Record<string, Address>;
  /** Named dev accounts on a devnet (anvil's public test keys), else empty. */
  devAccounts: { name: string; address: Address }[];
  indexer: { block: number; headBlock: number | null; lagBlocks: number | null; syncedAt: number | null };
};

export type Offer = {
  id: number;
  provider: Address;
  providerEndpoint: string;
  gpuModel: string;
  vramGb: number;
  gpuCount: number;
  gpusInUse: number;
  freeGpus: number;
  pricePerGpuSecondWei: string;
  pricePerGpuHourXpl: string;
  pricePerRequestXpl: string;
  region: string;
  active: boolean;
  hardwareCheckFailed: boolean;
  /** The provider's reputation score, 0..1 (see {@link Reputation}). */
  reputation: number;
  providerStakeXpl: string;
  createdAt: number;
};

/** `GET /api/v1/offers`: one page of matching offers. */
export type OfferPage = { offers: Offer[]; total: number; limit: number; offset: number };

export const OFFER_SORTS = [
  "price",
  "-price",
  "vram",
  "-vram",
  "reputation",
  "-reputation",
  "free",
  "-free",
  "newest",
] as const;
export type OfferSort = (typeof OFFER_SORTS)[number];

/** One GPU model on the market now (`GET /api/v1/gpu-models`). */
export type GpuModelSummary = {
  gpuModel: string;
  offers: number;
  gpus: number;
  freeGpus: number;
  minPricePerGpuHourXpl: string;
  medianPricePerGpuHourXpl: string;
};

/** `GET /api/v1/price-index?gpuModel=&from=&to=&points=`: active offers' GPU-hour prices at each time. */
export type PricePoint = { t: number; offers: number; minXpl: string | null; medianXpl: string | null };
export type PriceIndex = { gpuModel: string | null; points: PricePoint[] };

/** `GET /api/v1/supply?gpuModel=&from=&to=&points=`: GPUs offered and leased at each time. */
export type SupplyPoint = { t: number; gpus: number; gpusInUse: number; utilisation: number };
export type Supply = { gpuModel: string | null; points: SupplyPoint[] };

/**
 * Counted from market and verification events. `score` weighs leases by the value paid for them and
 * by distinct clients, so self-dealt tiny leases cannot farm it (see migrations/0003_reputation_by_value.sql).
 */
export type Reputation = {
  completed: number;
  sampled: number;
  verified: number;
  failed: number;
  /** Leases the provider did not start by their deadline (cancelled by their client). */
  noShows: number;
  /** Distinct clients, other than the provider itself, that paid for its ended leases. */
  clients: number;
  /** Value paid for its ended leases, in XPL. */
  paidXpl: string;
  score: number;
};

export type ProviderSummary = {
  address: Address;
  endpoint: string;
  registeredAt: number;
  stakeXpl: string;
  unbondingXpl: string;
  delegatedXpl: string;
  delegators: number;
  commissionBps: number;
  reputation: Reputation;
  earnedXpl: string;
  leases: number;
  offers: number;
  gpus: number;
};

export type Delegation = { delegator: Address; amountXpl: string; shares: string };

export type ProviderDetail = ProviderSummary & {
  attributes: string;
  slashedXpl: string;
  rewardsXpl: string;
  requestRevenueXpl: string;
  delegations: Delegation[];
  offersList: Offer[];
  recentLeases: LeaseSummary[];
};

export type ProviderPage = { providers: ProviderSummary[]; total: number; limit: number; offset: number };

/** As the chain names them; whether an ended lease paid anything is its `settlement`. */
export const LEASE_STATES = ["open", "running", "ended"] as const;
export type LeaseState = (typeof LEASE_STATES)[number];

export type LeaseSummary = {
  id: number;
  offerId: number;
  provider: Address;
  client: Address;
  gpuModel: string;
  gpus: number;
  maxSeconds: number;
  escrowXpl: string;
  state: LeaseState;
  /** Why it ended: "completed", "failed", "cancelled", "stopped", "expired", "no-show"…; null while open. */
  endReason: string | null;
  paidXpl: string | null;
  openedAt: number;
  verification: string;
  /**
   * "pending" while sampled and under way, "disputed" while a dispute waits for a second validator (payout
   * locked), "passed", "failed", "refunded" (dispute undecided: client refunded), "not-sampled", or null.
   */
  verificationOutcome: string | null;
};

export type LeaseEvent = { name: string; t: number; block: number; txHash: string; args: Record<string, string> };

export type LeaseDetail = LeaseSummary & {
  /** The provider's API, where the lease's client fetches its outputs. */
  providerEndpoint: string;
  specHash: string;
  builder: Address;
  pricePerGpuHourXpl: string;
  startedAt: number | null;
  endedAt: number | null;
  refundXpl: string | null;
  penaltyXpl: string | null;
  resultHash: string | null;
  settlement: { grossXpl: string; providerXpl: string; protocolFeeXpl: string; builderFeeXpl: string } | null;
  /** Every event of the lease in chain order: opened, started, ended, sampled, attested, settled… */
  timeline: LeaseEvent[];
};

export type LeasePage = { leases: LeaseSummary[]; total: number; limit: number; offset: number };

/** `GET /api/v1/stats`. */
export type NetworkStats = {
  providers: number;
  activeOffers: number;
  gpus: number;
  gpusInUse: number;
  leases: { total: number; open: number; running: number; ended: number };
  volumeXpl: string;
  protocolFeesXpl: string;
  stakedXpl: string;
  delegatedXpl: string;
  slashedXpl: string;
  validators: number;
  proposals: number;
};

export type ProposalSummary = {
  id: string;
  proposer: Address;
  description: string;
  state: "pending" | "active" | "defeated" | "succeeded" | "queued" | "executed" | "canceled";
  voteStart: number;
  voteEnd: number;
  forVotes: string;
  againstVotes: string;
  abstainVotes: string;
  createdAt: number;
};

export type Vote = {
  voter: Address;
  support: "against" | "for" | "abstain";
  weight: string;
  reason: string;
  t: number;
};

export type ProposalDetail = ProposalSummary & {
  actions: { target: Address; value: string; calldata: string }[];
  votes: Vote[];
  queuedEta: number | null;
};

export type ProposalPage = { proposals: ProposalSummary[]; total: number; limit: number; offset: number };

/** Every 4xx/5xx answer: a code to branch on, a message that names the problem and the fix. */
export type ApiErrorBody = { error: { code: string; message: string } };
