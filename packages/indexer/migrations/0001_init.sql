-- Plasma indexer schema. The same SQL runs on PGlite and PostgreSQL.
-- `events` is the record of truth (every contract event, decoded); every other table is a read model
-- that the indexer derives from it and can rebuild from it at any time (after a reorg, for one).
-- Amounts are numeric XPL wei; times are unix seconds of the block; ids are the contracts' ids.

CREATE TABLE indexer_state (
  key text PRIMARY KEY,
  value text NOT NULL
);

CREATE TABLE blocks (
  number bigint PRIMARY KEY,
  hash text NOT NULL,
  parent_hash text NOT NULL,
  timestamp bigint NOT NULL
);

CREATE TABLE events (
  block_number bigint NOT NULL,
  log_index integer NOT NULL,
  block_hash text NOT NULL,
  tx_hash text NOT NULL,
  timestamp bigint NOT NULL,
  contract text NOT NULL,
  name text NOT NULL,
  args jsonb NOT NULL,
  lease_id bigint,
  PRIMARY KEY (block_number, log_index)
);
CREATE INDEX events_by_name ON events (name);
CREATE INDEX events_by_lease ON events (lease_id) WHERE lease_id IS NOT NULL;

CREATE TABLE providers (
  address text PRIMARY KEY,
  endpoint text NOT NULL DEFAULT '',
  attributes text NOT NULL DEFAULT '',
  registered_at bigint NOT NULL,
  stake numeric NOT NULL DEFAULT 0,
  unbonding numeric NOT NULL DEFAULT 0,
  delegated numeric NOT NULL DEFAULT 0,
  commission_bps integer NOT NULL DEFAULT 0,
  slashed numeric NOT NULL DEFAULT 0,
  earned numeric NOT NULL DEFAULT 0,
  rewards numeric NOT NULL DEFAULT 0,
  request_revenue numeric NOT NULL DEFAULT 0,
  completed integer NOT NULL DEFAULT 0,
  sampled integer NOT NULL DEFAULT 0,
  verified integer NOT NULL DEFAULT 0,
  failed integer NOT NULL DEFAULT 0,
  -- Laplace-smoothed share of sampled leases that passed: 0.5 with no record, towards 1 or 0 with one.
  reputation double precision NOT NULL DEFAULT 0.5
);
CREATE INDEX providers_by_stake ON providers (stake DESC);

CREATE TABLE offers (
  id bigint PRIMARY KEY,
  provider text NOT NULL,
  gpu_model text NOT NULL,
  gpu_model_key text NOT NULL,
  vram_gb integer NOT NULL,
  gpu_count integer NOT NULL,
  gpus_in_use integer NOT NULL DEFAULT 0,
  price_per_gpu_second numeric NOT NULL,
  price_per_request numeric NOT NULL DEFAULT 0,
  region text NOT NULL,
  region_key text NOT NULL,
  active boolean NOT NULL DEFAULT true,
  hardware_check_failed boolean NOT NULL DEFAULT false,
  created_at bigint NOT NULL
);
CREATE INDEX offers_by_model_price ON offers (gpu_model_key, price_per_gpu_second) WHERE active;
CREATE INDEX offers_by_price ON offers (price_per_gpu_second) WHERE active;
CREATE INDEX offers_by_provider ON offers (provider);

-- Each offer's state after every change, for the price index and supply over time.
CREATE TABLE offer_history (
  offer_id bigint NOT NULL,
  block_number bigint NOT NULL,
  log_index integer NOT NULL,
  timestamp bigint NOT NULL,
  gpu_model text NOT NULL,
  gpu_model_key text NOT NULL,
  price_per_gpu_second numeric NOT NULL,
  gpu_count integer NOT NULL,
  gpus_in_use integer NOT NULL,
  active boolean NOT NULL,
  PRIMARY KEY (offer_id, block_number, log_index)
);
CREATE INDEX offer_history_by_time ON offer_history (timestamp);

CREATE TABLE leases (
  id bigint PRIMARY KEY,
  offer_id bigint NOT NULL,
  provider text NOT NULL,
  client text NOT NULL,
  gpus integer NOT NULL,
  max_seconds bigint NOT NULL,
  price_per_gpu_second numeric NOT NULL,
  escrow numeric NOT NULL,
  spec_hash text NOT NULL,
  builder text NOT NULL,
  verification integer NOT NULL,
  state text NOT NULL,
  opened_at bigint NOT NULL,
  started_at bigint,
  ended_at bigint,
  end_reason integer,
  paid numeric,
  refund numeric,
  penalty numeric,
  result_hash text,
  gross numeric NOT NULL DEFAULT 0,
  provider_amount numeric NOT NULL DEFAULT 0,
  protocol_fee numeric NOT NULL DEFAULT 0,
  builder_fee numeric NOT NULL DEFAULT 0,
  settled boolean NOT NULL DEFAULT false,
  verification_outcome text
);
CREATE INDEX leases_by_client ON leases (client, id DESC);
CREATE INDEX leases_by_provider ON leases (provider, id DESC);
CREATE INDEX leases_by_state ON leases (state, id DESC);

CREATE TABLE delegations (
  provider text NOT NULL,
  delegator text NOT NULL,
  amount numeric NOT NULL DEFAULT 0,
  shares numeric NOT NULL DEFAULT 0,
  PRIMARY KEY (provider, delegator)
);

CREATE TABLE validators (
  address text PRIMARY KEY,
  stake numeric NOT NULL DEFAULT 0,
  slashed numeric NOT NULL DEFAULT 0,
  exit_at bigint
);

CREATE TABLE channels (
  id bigint PRIMARY KEY,
  client text NOT NULL,
  provider text NOT NULL,
  deposit numeric NOT NULL,
  redeemed numeric NOT NULL DEFAULT 0,
  closes_at bigint,
  closed boolean NOT NULL DEFAULT false
);

CREATE TABLE proposals (
  id text PRIMARY KEY,
  proposer text NOT NULL,
  description text NOT NULL,
  targets jsonb NOT NULL,
  "values" jsonb NOT NULL,
  calldatas jsonb NOT NULL,
  vote_start bigint NOT NULL,
  vote_end bigint NOT NULL,
  for_votes numeric NOT NULL DEFAULT 0,
  against_votes numeric NOT NULL DEFAULT 0,
  abstain_votes numeric NOT NULL DEFAULT 0,
  -- XPL supply when voting started and the quorum fraction then: what decides "defeated".
  quorum numeric NOT NULL,
  created_at bigint NOT NULL,
  queued_eta bigint,
  executed boolean NOT NULL DEFAULT false,
  canceled boolean NOT NULL DEFAULT false
);

CREATE TABLE votes (
  proposal_id text NOT NULL,
  voter text NOT NULL,
  support integer NOT NULL,
  weight numeric NOT NULL,
  reason text NOT NULL,
  timestamp bigint NOT NULL,
  PRIMARY KEY (proposal_id, voter)
);

-- Running totals that no single row holds.
CREATE TABLE totals (
  key text PRIMARY KEY,
  value numeric NOT NULL
);
