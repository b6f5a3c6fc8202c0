-- Review of issue 52. A block spending limit is checked against the period's cost so far with
-- the running sessions' unrated accrual (live cost's total), so a session's reservation against
-- it is released once its hold has passed (reserved_at + holdMinutes <= now), its first minutes
-- then being in that estimate, rather than once they are rated: until_rated becomes
-- until_accrued, and such a release is told as 'accrued' ('rated' stays for the releases made
-- before). Reserving in a room first releases its passed holds: the room's open reservations by
-- age.
ALTER TABLE billing_limit_reservations RENAME COLUMN until_rated TO until_accrued;
ALTER TABLE billing_limit_reservations DROP CONSTRAINT billing_limit_reservations_released_by_check;
ALTER TABLE billing_limit_reservations ADD CONSTRAINT billing_limit_reservations_released_by_check
    CHECK (released_by IN ('terminated', 'ended', 'never_started', 'rated', 'accrued'));
CREATE INDEX billing_limit_reservations_room ON billing_limit_reservations (org_id, room, reserved_at)
    WHERE released_at IS NULL;

-- A low-balance episode records when billing.balance.low was published for it: a node that
-- stopped between the episode's insert and the publish leaves it null, and the next
-- check-balances publishes it then. The episodes before this were published as they opened.
ALTER TABLE billing_balance_low ADD COLUMN published_at timestamptz;
UPDATE billing_balance_low SET published_at = warned_at;
