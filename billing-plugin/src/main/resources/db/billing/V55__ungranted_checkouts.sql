-- A pack's or store item's Checkout Session paid but not granted at its completion (the
-- organization's currency changed since the session was made, the pack left the catalog, the
-- item's version is not the item's): its payment is refunded in full at Stripe in the webhook's
-- transaction, and its row says why (refusal) and what was given back, as a refused plan
-- session's row in billing_checkout_sessions does. A row without them was applied.
ALTER TABLE billing_stripe_checkouts
    ADD COLUMN refusal    text,
    ADD COLUMN given_back text,
    ADD CHECK ((refusal IS NULL) = (given_back IS NULL));
