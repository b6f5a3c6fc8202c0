-- A pack paid through Stripe Checkout and refunded in full at Stripe (charge.refunded: a refund
-- made in Stripe's Dashboard) ends at the refund, as a store item's purchase does.
--
-- The session's PaymentIntent, kept when its completion is applied, is how a charge.refunded
-- (which names the PaymentIntent, not the session) finds the pack that payment paid. Sessions
-- applied before this column existed have none: their packs are not ended by a refund.
ALTER TABLE billing_stripe_checkouts ADD COLUMN payment_intent text;
CREATE INDEX billing_stripe_checkouts_payment_intent ON billing_stripe_checkouts (payment_intent)
    WHERE payment_intent IS NOT NULL;

-- When the purchase was refunded: it adds nothing from then on, whatever its validity says
-- (PackPurchaseRepository.ACTIVE_AT), and is renewed no more. Its history gets a 'refunded' row.
ALTER TABLE billing_pack_purchases
    ADD COLUMN refunded_at timestamptz CHECK (refunded_at >= purchased_at);

ALTER TABLE billing_pack_events DROP CONSTRAINT billing_pack_events_kind_check;
ALTER TABLE billing_pack_events ADD CONSTRAINT billing_pack_events_kind_check
    CHECK (kind IN ('bought', 'renewed', 'expired', 'cancelled', 'refunded'));
