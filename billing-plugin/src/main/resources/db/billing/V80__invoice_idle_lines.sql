-- Invoices split idle time on labelled lines with what the idle price saved (issue 53, as V78
-- did for usage): a usage line of time priced at an activity factor keeps its activity (idle,
-- disconnected) and its saving, rounded once. Null on every other line, and on every line
-- finalized before this migration: those lines are unchanged.
ALTER TABLE billing_invoice_lines
    ADD COLUMN activity text,
    ADD COLUMN saved numeric;
