-- Reputation weighed by the value paid and by distinct clients (issue 16, item 10): counted in leases,
-- a provider could farm a perfect score with 1-second leases it buys from itself. The chain's counters
-- (completed, sampled, verified, failed, no_shows) stay raw counts; the score is computed from the
-- provider's ended leases by refresh_reputation below, the one place the formula lives.
ALTER TABLE providers ADD COLUMN clients integer NOT NULL DEFAULT 0;
ALTER TABLE providers ADD COLUMN paid numeric NOT NULL DEFAULT 0;

-- The score, 0..1, in XPL of lease value (gross paid; a no-show's escrow):
--   d        = clients / (clients + 2): how far a record can be trusted, by distinct paying clients
--              other than the provider itself (1 client: 1/3, 2: 1/2, 10: 5/6)
--   verified = (d·passed + 10) / (d·passed + failed + 20): value that passed verification against value
--              that failed, Laplace-smoothed with 10 XPL on each side
--   started  = (d·completed + 10) / (d·completed + noShow + 10): value of completed leases against the
--              escrow of leases the provider never started
--   score    = verified × started
-- A provider with no record scores 0.5. Good evidence counts only as far as it was paid for and came
-- from several clients: 1,000 one-second self-dealt leases (about 0.7 XPL) leave the score at 0.5,
-- and inflating it takes value, which costs the protocol and verification fees on every XPL.
-- Failures and no-shows count at their full value whoever the client was: only the provider causes them.
CREATE FUNCTION reputation_score(passed float8, failed float8, completed float8, no_show float8, clients integer)
RETURNS float8 LANGUAGE sql IMMUTABLE AS $$
  SELECT (d * passed + 10) / (d * passed + failed + 20) * (d * completed + 10) / (d * completed + no_show + 10)
  FROM (SELECT clients::float8 / (clients + 2) AS d) AS confidence
$$;

-- Recomputes one provider's clients, value paid and score from its ended leases.
CREATE FUNCTION refresh_reputation(provider_address text) RETURNS void LANGUAGE sql AS $$
  UPDATE providers p SET clients = s.clients, paid = s.paid,
    reputation = reputation_score(s.passed, s.failed, s.completed, s.no_show, s.clients)
  FROM (
    SELECT count(DISTINCT client) FILTER (WHERE gross > 0 AND client <> provider)::integer AS clients,
      COALESCE(sum(gross), 0) AS paid,
      (COALESCE(sum(gross) FILTER (WHERE verification_outcome = 'passed'), 0) / 1e18)::float8 AS passed,
      (COALESCE(sum(gross) FILTER (WHERE verification_outcome = 'failed'), 0) / 1e18)::float8 AS failed,
      (COALESCE(sum(gross) FILTER (WHERE end_reason = 1), 0) / 1e18)::float8 AS completed,
      (COALESCE(sum(escrow) FILTER (WHERE end_reason = 3), 0) / 1e18)::float8 AS no_show
    FROM leases WHERE provider = provider_address AND state = 'ended'
  ) AS s
  WHERE p.address = provider_address
$$;

SELECT refresh_reputation(address) FROM providers;
