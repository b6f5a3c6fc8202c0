-- A closed organization's Checkouts applied but not given back (refusal IS NULL), by account:
-- collect-payments looks every minute for those paid at or after the closing
-- (CheckoutsPaidAfterClosing), from the few closed accounts (billing_accounts_closed) to their
-- sessions, without a scan of every session ever completed.
-- Of collation "C", as the accounts' ids it is joined to (the sessions' column is not).
CREATE INDEX billing_stripe_checkouts_granted
    ON billing_stripe_checkouts (account_id COLLATE "C", completed_at) WHERE refusal IS NULL;
