-- When an attempt was first sent to Stripe (StripeCollections), set with the card and amount it
-- chose. Stripe forgets an idempotency key after 24 hours: a try 23 hours or more after this
-- first searches Stripe's PaymentIntents for the attempt (metadata invoice_id and attempt) and
-- settles from the one found, sending again only when there is none, so a late retry never
-- charges twice. Attempts that chose before this column existed count from their creation, the
-- earliest they can have been sent.
ALTER TABLE billing_stripe_collections ADD COLUMN first_sent_at timestamptz;

UPDATE billing_stripe_collections SET first_sent_at = created_at WHERE payment_method IS NOT NULL;
