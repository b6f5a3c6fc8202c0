-- Stripe webhook events applied: one row per Stripe event id, inserted in the transaction of the
-- event's effect, so a redelivered event finds its id here and changes nothing.
CREATE TABLE billing_stripe_events (
    event_id    text PRIMARY KEY,
    event_type  text NOT NULL,
    created_at  timestamptz NOT NULL,   -- the event's own creation time at Stripe
    applied_at  timestamptz NOT NULL
);

-- One row per Stripe PaymentIntent collecting one of our invoices (each attempt is its own
-- PaymentIntent). No card data: Stripe holds it; we keep its ids.
CREATE TABLE billing_payments (
    id                bigserial PRIMARY KEY,
    invoice_id        bigint NOT NULL REFERENCES billing_invoices (id),
    user_id           text NOT NULL,
    amount            numeric NOT NULL,       -- in the currency, from Stripe's minor units
    currency          text NOT NULL,
    status            text NOT NULL
        CHECK (status IN ('failed', 'succeeded', 'amount_mismatch', 'refunded')),
    amount_refunded   numeric NOT NULL DEFAULT 0,
    payment_intent_id text NOT NULL UNIQUE,
    charge_id         text,
    failure_code      text,
    failure_reason    text,
    created_at        timestamptz NOT NULL,   -- the PaymentIntent's creation time at Stripe
    -- the creation time of the last event applied to the row: an older failure never
    -- overwrites a newer one, and nothing overwrites a success
    event_at          timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL
);

CREATE INDEX billing_payments_user ON billing_payments (user_id, created_at DESC, id DESC);
CREATE INDEX billing_payments_status ON billing_payments (status, created_at DESC, id DESC);
CREATE INDEX billing_payments_invoice ON billing_payments (invoice_id);
