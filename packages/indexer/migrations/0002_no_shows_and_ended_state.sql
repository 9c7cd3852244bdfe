-- A provider's no-shows (leases it did not start by their deadline, cancelled by their client), counted
-- on chain by the VerificationManager's NoShowRecorded events; the reputation score now weighs them.
ALTER TABLE providers ADD COLUMN no_shows integer NOT NULL DEFAULT 0;

-- Lease states are the chain's: open, running, ended. Whether an ended lease paid anything is the
-- `settled` column, not a state of its own.
UPDATE leases SET state = 'ended' WHERE state = 'settled';
