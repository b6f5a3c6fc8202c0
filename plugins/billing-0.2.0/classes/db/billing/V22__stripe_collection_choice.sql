-- What an attempt charges, chosen at its first try (StripeCollections) and sent again exactly on
-- every later try under the same idempotency key: Stripe refuses a key re-sent with other
-- parameters, so a default card changed meanwhile, or another minor-unit rule, must not reach a
-- retried call. Null until the first try chose them. An id only, no card data.
-- tries now counts the claims (each a lease: due_at moved past the call while it runs).
ALTER TABLE billing_stripe_collections
    ADD COLUMN payment_method text,
    ADD COLUMN amount_minor   bigint;   -- the total in Stripe's minor units of the currency
