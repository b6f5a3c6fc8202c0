-- Finalized invoices mirrored into Stripe as Stripe Invoices, with stripeCollection
-- `stripe_invoices` (StripeInvoiceMirror): one row per invoice of ours, inserted in the
-- transaction that finalizes it; the collect-payments job sends the pending rows. pending until
-- the Stripe invoice is created, its items added and finalized (each call under the key
-- mirror-<invoice_id>-<step>, so a retry never creates two); sent once Stripe holds it and
-- collects it; paid or failed as the invoice.paid / invoice.payment_failed webhooks say (paid is
-- final); void when our invoice was paid or voided before it was sent (nothing sent).
CREATE TABLE billing_stripe_invoices (
    invoice_id        bigint PRIMARY KEY REFERENCES billing_invoices (id),
    account_id        text NOT NULL,
    status            text NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'sent', 'paid', 'failed', 'void')),
    stripe_invoice_id text UNIQUE,
    attempts          integer NOT NULL DEFAULT 0,   -- claims: tries to send it
    next_try_at       timestamptz NOT NULL,         -- due (pending), or the claim's lease end
    first_sent_at     timestamptz,                  -- the first try's call: keys kept 24 hours
    last_error        text,
    event_at          timestamptz,                  -- created of the last webhook event applied
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL
);

CREATE INDEX billing_stripe_invoices_due ON billing_stripe_invoices (next_try_at)
    WHERE status = 'pending';
CREATE INDEX billing_stripe_invoices_account ON billing_stripe_invoices (account_id);
