-- Invoices claim usage by range instead of record by record. Finalizing an invoice used to write
-- every record it billed (invoice_id): 744 updates an account a month, 90 % of generate-invoices'
-- time. Now a record carries the rating run that wrote it, and an invoice writes one row: its
-- claim, with its period end and the last run settled when it was finalized.
--
-- The rule: a record belongs to the first claim (by claim_no) of its account with
--   slice_start < period_end AND rating_run <= run_high.
-- A record no claim covers is unbilled. Records of an earlier period rated after its invoice
-- (a later run than that claim's run_high) are billed by the account's next invoice.
--
-- Rating runs (calculate-usage's transactions; UsageCalculator rates in several at once) each
-- take pg_advisory_xact_lock_shared(RatingRuns.KEY), then one number of billing_rating_runs, and
-- stamp their records with it. Finalization reads its run_high before any account lock, in a
-- short transaction of its own: pg_advisory_xact_lock(RatingRuns.KEY), which waits for the runs
-- in flight to commit, then the sequence's last value. Every run up to it has committed and is
-- seen by the claim; every later run is greater, so its records fall to a later claim. Voiding
-- an invoice gives its records a fresh run (under the shared lock, as rating does) and deletes
-- its claim: they then look rated after every claim, and the next invoice bills them.

CREATE SEQUENCE billing_rating_runs;
CREATE SEQUENCE billing_usage_claim_numbers;

CREATE TABLE billing_usage_claims (
    invoice_id bigint PRIMARY KEY REFERENCES billing_invoices (id),
    user_id    text COLLATE "C" NOT NULL,
    -- the order claims were made in: an account's claims are made under its row lock
    claim_no   bigint      NOT NULL UNIQUE,
    period_end timestamptz NOT NULL,
    run_high   bigint      NOT NULL
);
-- an account's claims, the latest first (the candidates of its next claim start there)
CREATE INDEX billing_usage_claims_account ON billing_usage_claims (user_id, claim_no);

ALTER TABLE billing_usage_records ADD COLUMN rating_run bigint;

-- Existing data. An account's finalized invoices (void ones released their records) in the order
-- they were finalized (finalized_at, id) are ranked 1, 2, ...; each gets a claim with run_high =
-- its rank, and the records it claimed get rating_run = that rank: no earlier claim covers them
-- (its run_high is lower) and their own does (they lie before its period end). Records on no
-- invoice get 1,000,000,000, above every rank (no account has a billion invoices): no claim
-- covers them. The sequence starts above it, so every later run is above every migrated claim.
CREATE TEMPORARY TABLE usage_claims_ranked ON COMMIT DROP AS
SELECT id, user_id, period_end, finalized_at,
       row_number() OVER (PARTITION BY user_id ORDER BY finalized_at, id) AS rank
FROM billing_invoices
WHERE status IN ('sent', 'paid', 'overdue');

DO $$
BEGIN
    IF (SELECT coalesce(max(rank), 0) FROM usage_claims_ranked) >= 1000000000 THEN
        RAISE EXCEPTION 'an account has a billion invoices: ranks would reach the unbilled run';
    END IF;
END $$;

UPDATE billing_usage_records r SET rating_run = coalesce(
    (SELECT k.rank FROM usage_claims_ranked k WHERE k.id = r.invoice_id), 1000000000);

INSERT INTO billing_usage_claims (invoice_id, user_id, claim_no, period_end, run_high)
SELECT id, user_id, row_number() OVER (ORDER BY finalized_at, id), period_end, rank
FROM usage_claims_ranked;

SELECT setval('billing_usage_claim_numbers',
              (SELECT coalesce(max(claim_no), 0) + 1 FROM billing_usage_claims), false);
SELECT setval('billing_rating_runs', 1000000001, false);

-- Each record's invoice by the rule (null: unbilled), for reads that want it record by record
-- (checks, tests, an admin's question). Invoicing does not read it: it finds an invoice's
-- records by range (UsageClaims). Only the key and the figures, so that later migrations may
-- change the record's other columns.
CREATE VIEW billing_usage_billed AS
SELECT r.user_id, r.session_id, r.resource_type, r.slice_start, r.unit_seconds, r.rating_run,
       (SELECT c.invoice_id FROM billing_usage_claims c
        WHERE c.user_id = r.user_id AND r.slice_start < c.period_end
          AND r.rating_run <= c.run_high
        ORDER BY c.claim_no LIMIT 1) AS invoice_id
FROM billing_usage_records r;

-- The check: every record is attributed by the rule to the invoice that had it (a void
-- invoice's records, had any been left, are unbilled now, as voiding means).
DO $$
DECLARE
    wrong bigint;
BEGIN
    SELECT count(*) INTO wrong
    FROM billing_usage_records r
    JOIN billing_usage_billed b USING (user_id, slice_start, session_id, resource_type)
    LEFT JOIN usage_claims_ranked k ON k.id = r.invoice_id
    WHERE k.id IS DISTINCT FROM b.invoice_id;
    IF wrong > 0 THEN
        RAISE EXCEPTION '% usage records would change invoice under the claims', wrong;
    END IF;
END $$;

ALTER TABLE billing_usage_records ALTER COLUMN rating_run SET NOT NULL;
DROP INDEX billing_usage_records_unbilled;
ALTER TABLE billing_usage_records DROP COLUMN invoice_id; -- and its foreign key

-- The records an invoice claims are (its account's records from the latest claim's period end
-- on: the primary key's range) plus (those rated after the latest claim's run_high: this index,
-- whose slice_start lets the scan skip the later period's records without reading them), less
-- those an earlier claim covers: an invoice reads its period and its late records, not the
-- account's history. It replaces V24's index of unbilled records (no record is written on a
-- claim any more), so calculate-usage's inserts still maintain one index besides the key.
CREATE INDEX billing_usage_records_runs ON billing_usage_records (user_id, rating_run, slice_start);
