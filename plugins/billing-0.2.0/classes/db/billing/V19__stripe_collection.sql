-- The durable queue of invoice collections through Stripe (StripeCollections): one row per
-- attempt to charge an invoice, inserted in the transaction that finalizes it (attempt 1) or
-- records the failure of the attempt before; the collect-payments job works off the due rows.
-- A row is pending until Stripe answered: sent (a PaymentIntent was created, the webhook records
-- its outcome), failed (declined, or nothing to charge it with), or cancelled (the invoice was
-- paid or voided meanwhile). A pending row is retried with the same idempotency key
-- invoice-<invoice_id>-attempt-<attempt>, so Stripe never creates its PaymentIntent twice.
CREATE TABLE billing_stripe_collections (
    invoice_id        bigint NOT NULL REFERENCES billing_invoices (id),
    attempt           integer NOT NULL CHECK (attempt >= 1),
    due_at            timestamptz NOT NULL,
    state             text NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'sent', 'failed', 'cancelled')),
    tries             integer NOT NULL DEFAULT 0,   -- calls that ended without Stripe's answer
    last_error        text,
    payment_intent_id text,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    PRIMARY KEY (invoice_id, attempt)
);

CREATE INDEX billing_stripe_collections_due ON billing_stripe_collections (due_at)
    WHERE state = 'pending';
