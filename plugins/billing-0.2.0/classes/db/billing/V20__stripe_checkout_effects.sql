-- Checkout Sessions whose completion was applied (StripeCheckouts): one row per session, so a
-- session completed twice (a second event about it) grants its pack or changes the plan once.
CREATE TABLE billing_stripe_checkouts (
    session_id  text PRIMARY KEY,
    account_id  text        NOT NULL,
    kind        text        NOT NULL CHECK (kind IN ('plan', 'pack')),
    completed_at timestamptz NOT NULL,  -- the completion event's creation time at Stripe
    applied_at  timestamptz NOT NULL
);

-- A pack bought through Checkout was paid there: its 'bought' event names the session, and the
-- invoicing of pack charges (PackChargeRows) skips it, so it is never invoiced a second time.
ALTER TABLE billing_pack_events
    ADD COLUMN paid_checkout text REFERENCES billing_stripe_checkouts (session_id),
    ADD CHECK (paid_checkout IS NULL OR invoice_id IS NULL);

-- The customer's default payment method for collection, as Stripe last said it (a Checkout's
-- SetupIntent, payment_method.attached/detached, customer.updated), with the creation time of
-- the event that set it: an older event arriving later changes nothing. An id only, no card data.
ALTER TABLE billing_stripe_customers
    ADD COLUMN default_payment_method text,
    ADD COLUMN default_payment_method_at timestamptz;
