-- Burns (issue 52): calculate-usage takes the cost of what it rates of an organization on a
-- prepaid plan from its prepaid balance, in the rating's transaction (a burn entry, never more
-- than the balance has for it: the rest stays on the invoice), and the invoice of the period
-- settles them at its finalization.
--
-- Each burn entry's own row says what it burned (the rating run and the billing period of the
-- records it was the cost of) and, once an invoice settled it, which invoice: entries are
-- append-only, so the settlement is kept here. An invoice settles its organization's burns not
-- settled yet of its period and earlier ones (records rated late bill to the next invoice) once:
-- a finalization run again finds them settled.
CREATE TABLE billing_prepaid_burns (
    entry_id     bigint PRIMARY KEY REFERENCES billing_prepaid_entries (id),
    org_id       text COLLATE "C" NOT NULL,
    currency     char(3)     NOT NULL,
    period_start timestamptz NOT NULL,
    rating_run   bigint      NOT NULL,
    amount       numeric     NOT NULL CHECK (amount > 0), -- what the entry took, positive
    settled_by   bigint REFERENCES billing_invoices (id)
);
-- what an invoice settles, and what live cost reads as burned in the current period
CREATE INDEX billing_prepaid_burns_period ON billing_prepaid_burns (org_id, currency, period_start);

-- burn_returned: what the period's burns took beyond what its invoice needed (its credits paid
-- some of the usage, say), given back by the invoice's settlement: money in, of an invoice
ALTER TABLE billing_prepaid_entries DROP CONSTRAINT billing_prepaid_entries_kind_check;
ALTER TABLE billing_prepaid_entries ADD CONSTRAINT billing_prepaid_entries_kind_check
    CHECK (kind IN ('top_up', 'grant', 'burn', 'invoice_applied', 'invoice_voided',
                    'burn_returned', 'refund'));
ALTER TABLE billing_prepaid_entries DROP CONSTRAINT billing_prepaid_entries_check;
ALTER TABLE billing_prepaid_entries ADD CONSTRAINT billing_prepaid_entries_check
    CHECK (CASE WHEN kind IN ('top_up', 'grant', 'invoice_voided', 'burn_returned')
                THEN amount > 0 ELSE amount < 0 END);
ALTER TABLE billing_prepaid_entries DROP CONSTRAINT billing_prepaid_entries_check1;
ALTER TABLE billing_prepaid_entries ADD CONSTRAINT billing_prepaid_entries_check1
    CHECK ((kind IN ('invoice_applied', 'invoice_voided', 'burn_returned'))
           = (invoice_id IS NOT NULL));

-- A running session's reservation is lowered by what its burns took (never below zero), and
-- extended by check-quotas to cover its accrued cost not burned yet and its next holdMinutes:
-- it may stand at zero between the two.
ALTER TABLE billing_prepaid_reservations DROP CONSTRAINT billing_prepaid_reservations_amount_check;
ALTER TABLE billing_prepaid_reservations ADD CONSTRAINT billing_prepaid_reservations_amount_check
    CHECK (amount >= 0);

-- an invoice's prepaid line explained: the burns it settled
CREATE INDEX billing_prepaid_burns_settled ON billing_prepaid_burns (settled_by)
    WHERE settled_by IS NOT NULL;
