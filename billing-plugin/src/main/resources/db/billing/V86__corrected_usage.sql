-- What a correction (V85) changes of the usage, beside what was recorded, which stays.

-- A size step's event (of two at one instant the first stored, as before): what a cancel of
-- the event finds. Null on the steps stored before this migration: those events cannot be
-- cancelled, their sessions' sizes can be amended.
ALTER TABLE billing_session_sizes ADD COLUMN event_id text COLLATE "C";
CREATE INDEX billing_session_sizes_event ON billing_session_sizes (event_id)
    WHERE event_id IS NOT NULL;

-- A correction's usage records of periods not invoiced yet: the difference between the
-- corrected history's usage and what was rated, per slice key, signed, stamped with a rating
-- run of the correction's, so that the period's invoice bills the corrected usage as it bills
-- any record (UsageClaims), /usage and the reports count it, and explain lists it.
-- correction_id is 0 on every record calculate-usage rates, and part of the key: a slice keeps
-- its rated record and gains one per correction. (Its CHECK was unit_seconds > 0: a
-- correction's record may be negative, never zero.)
-- (A constant default: adding the column rewrites nothing. The checks are added NOT VALID and
-- then validated, as V62 did: they only widen, and validating takes no lock that stops writes.)
ALTER TABLE billing_usage_records ADD COLUMN correction_id bigint NOT NULL DEFAULT 0;
ALTER TABLE billing_usage_records DROP CONSTRAINT billing_usage_records_unit_seconds_check;
ALTER TABLE billing_usage_records ADD CONSTRAINT billing_usage_records_unit_seconds_check
    CHECK (unit_seconds > 0 OR correction_id <> 0 AND unit_seconds <> 0) NOT VALID;
ALTER TABLE billing_usage_records VALIDATE CONSTRAINT billing_usage_records_unit_seconds_check;
ALTER TABLE billing_usage_records DROP CONSTRAINT billing_usage_records_slice;
ALTER TABLE billing_usage_records ADD CONSTRAINT billing_usage_records_slice
    PRIMARY KEY (user_id, slice_start, session_id, resource_type, activity, correction_id);

-- The same difference for a period whose invoice is finalized: kept here, out of every claim,
-- since that invoice never changes; its money becomes a credit note on it or a correction line on
-- the organization's next invoice (V87). invoice_id is the finalized invoice it corrects.
CREATE TABLE billing_correction_usage (
    correction_id bigint      NOT NULL REFERENCES billing_corrections (id),
    invoice_id    bigint      NOT NULL REFERENCES billing_invoices (id),
    user_id       text COLLATE "C" NOT NULL,
    session_id    text COLLATE "C" NOT NULL,
    resource_type text COLLATE "C" NOT NULL,
    activity      text COLLATE "C" NOT NULL,
    slice_start   timestamptz NOT NULL,
    slice_end     timestamptz NOT NULL CHECK (slice_end > slice_start),
    unit_seconds  numeric     NOT NULL CHECK (unit_seconds <> 0),
    unit          text        NOT NULL,
    unit_price    numeric     NOT NULL,
    full_price    numeric,
    currency      char(3)     NOT NULL,
    PRIMARY KEY (user_id, slice_start, session_id, resource_type, activity, correction_id)
);
CREATE INDEX billing_correction_usage_invoice ON billing_correction_usage (invoice_id);
CREATE INDEX billing_correction_usage_correction ON billing_correction_usage (correction_id);

-- A usage report's correction: a report of its own (event_id 'correction:<id>:<entry>') that
-- adds the difference to the counter of the period the corrected report occurred in (signed: a
-- cancel takes the whole quantity off), so every counter read sums the corrected history. The
-- report it corrects keeps its quantity.
ALTER TABLE billing_usage_reports
    ADD COLUMN correction_id     bigint,
    ADD COLUMN corrects_event_id text COLLATE "C";
ALTER TABLE billing_usage_reports DROP CONSTRAINT billing_usage_reports_quantity_check;
ALTER TABLE billing_usage_reports ADD CONSTRAINT billing_usage_reports_quantity_check
    CHECK (quantity >= 0 OR correction_id IS NOT NULL) NOT VALID;
ALTER TABLE billing_usage_reports VALIDATE CONSTRAINT billing_usage_reports_quantity_check;
ALTER TABLE billing_usage_reports ADD CONSTRAINT billing_usage_reports_correction
    CHECK ((correction_id IS NULL) = (corrects_event_id IS NULL)) NOT VALID;
ALTER TABLE billing_usage_reports VALIDATE CONSTRAINT billing_usage_reports_correction;
CREATE INDEX billing_usage_reports_corrects ON billing_usage_reports (corrects_event_id)
    WHERE corrects_event_id IS NOT NULL;
