-- Hibernated time on records of its own (issue 53), so that lines, /usage, invoices, their PDF
-- and CSV, explain and the pages show it and what hibernation saved, as they show idle time
-- (V78, V80): a session's time while hibernated (V77) is rated as records of activity
-- 'hibernated' at a unit price of 0, keeping the full price (full_price) it would have cost:
-- their saving is unit_seconds × full_price, their money nothing. Such a record holds nothing:
-- hybrid overage leaves it out (invoicing.PeriodCharges).
--
-- NOT VALID: the rows so far are active, idle or disconnected; checking them would read the
-- whole table under a lock for nothing. The constraint binds every row written from now on.
ALTER TABLE billing_usage_records DROP CONSTRAINT billing_usage_records_activity_check;
ALTER TABLE billing_usage_records ADD CONSTRAINT billing_usage_records_activity_check
    CHECK (activity IN ('active', 'idle', 'disconnected', 'hibernated')) NOT VALID;
ALTER TABLE billing_usage_records ADD CONSTRAINT billing_usage_records_hibernated_free
    CHECK (activity <> 'hibernated' OR (unit_price = 0 AND full_price IS NOT NULL)) NOT VALID;
