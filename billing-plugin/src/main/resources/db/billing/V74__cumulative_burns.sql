-- Burns made cumulative (issue 52's review): each rating run burns, per organization, currency
-- and billing period, the difference between what the period's invoice would take from the
-- balance for its usage rated so far (less its usable credits) and what is burned of the period
-- already, not settled. A negative difference (a credit granted, an admin's invoice that claimed
-- some of the usage) is given back by the run as a burn_returned entry of no invoice, with its
-- row here at a negative amount, so that the period's unsettled rows add up to what it burned.
ALTER TABLE billing_prepaid_burns DROP CONSTRAINT billing_prepaid_burns_amount_check;
ALTER TABLE billing_prepaid_burns ADD CONSTRAINT billing_prepaid_burns_amount_check
    CHECK (amount <> 0);
ALTER TABLE billing_prepaid_entries DROP CONSTRAINT billing_prepaid_entries_check1;
ALTER TABLE billing_prepaid_entries ADD CONSTRAINT billing_prepaid_entries_check1
    CHECK (kind = 'burn_returned'
           OR (kind IN ('invoice_applied', 'invoice_voided')) = (invoice_id IS NOT NULL));
