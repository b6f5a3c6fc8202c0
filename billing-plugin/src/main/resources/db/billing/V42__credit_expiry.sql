-- A credit's expiry, recorded: once a credit has expired with something left, check-quotas moves
-- what is left out of remaining into expired_amount (remaining 0) and writes its credit.expired
-- audit entry in the same transaction (io.streamspace.billing.credits.CreditExpiry).
--
-- expired_at is the credit's own expires_at (when the money stopped being usable), not the time
-- the job noticed it; expired_amount is what was never applied, summed over the markings (a
-- void that gives an expired credit's use back puts it in remaining again, and the next run
-- forfeits it too). So amount = the applications not reversed + remaining + expired_amount.
ALTER TABLE billing_credits
    ADD COLUMN expired_at     timestamptz,
    ADD COLUMN expired_amount numeric,
    ADD CONSTRAINT billing_credits_expiry_recorded CHECK (
        (expired_at IS NULL AND expired_amount IS NULL)
        OR (expired_at = expires_at AND expired_amount > 0
            AND remaining + expired_amount <= amount));

-- The credits the job looks for: an expiry and something left. A fully used credit leaves the
-- index (and a marked one with it), so the job's scan of expires_at <= now reads only what it
-- will mark. remaining in the predicate makes finalization's decrement of a credit a non-HOT
-- update: once per credit and invoice, a cost far below the invoice's own writes.
CREATE INDEX billing_credits_expiring ON billing_credits (expires_at)
    WHERE remaining > 0 AND expires_at IS NOT NULL;
