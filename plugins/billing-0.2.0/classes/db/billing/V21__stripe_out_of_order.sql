-- Refunds as Stripe reported them (charge.refunded), one row per PaymentIntent whether or not its
-- payment is recorded yet: a refund delivered before the payment's success is applied when the
-- success lands (StripePayments), so the outcome does not depend on the order of delivery.
CREATE TABLE billing_stripe_refunds (
    payment_intent_id text PRIMARY KEY,
    charge_id         text        NOT NULL,
    currency          text        NOT NULL,
    amount_refunded   numeric     NOT NULL,  -- Stripe's running total for the charge: only grows
    event_at          timestamptz NOT NULL
);

-- Payment methods Stripe detached. Stripe never attaches a detached method again, so none of
-- these becomes a default later, whichever older event about it (attached, customer.updated)
-- arrives after its detachment (DefaultPaymentMethods).
CREATE TABLE billing_stripe_detached_methods (
    payment_method text PRIMARY KEY,
    detached_at    timestamptz NOT NULL
);

-- When an account's first Stripe customer creation was attempted (StripeCustomers). Stripe keeps
-- an idempotency key for 24 hours: an attempt older than that, still without a stored customer
-- (a crash between Stripe's answer and our commit), looks for the customer it may have created
-- before creating one.
CREATE TABLE billing_stripe_customer_attempts (
    account_id text COLLATE "C" PRIMARY KEY REFERENCES billing_accounts (user_id),
    first_at   timestamptz NOT NULL
);
