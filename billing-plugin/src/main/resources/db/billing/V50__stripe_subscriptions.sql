-- Stripe Billing's subscriptions and the state check of plan Checkouts (docs/stripe.md
-- "Subscriptions" and "The state check").

-- The Stripe Subscriptions that pay an organization's plan fee (stripeCollection
-- stripe_invoices): stored when the Checkout Session that created one completes, then kept by
-- customer.subscription.updated/deleted. event_at is the creation time at Stripe of the last
-- event applied: an older event arriving later changes nothing. 'canceled' is final.
CREATE TABLE billing_stripe_subscriptions (
    subscription_id      text COLLATE "C" PRIMARY KEY,
    account_id           text COLLATE "C" NOT NULL,
    plan_id              text NOT NULL,  -- the plan its price sells
    status               text NOT NULL,  -- Stripe's status (active, past_due, canceled...)
    cancel_at_period_end boolean NOT NULL DEFAULT false,
    current_period_end   timestamptz,
    event_at             timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL
);
CREATE INDEX billing_stripe_subscriptions_account ON billing_stripe_subscriptions (account_id);

-- Each plan Checkout Session as it was created: the plan the organization was on then and
-- whether it was locked. Its completion compares them with the state then: a session whose
-- organization changed plan since, is now locked, or whose plan is no longer sold is refused
-- ('refused', with why and what was given back at Stripe), never applied blindly.
CREATE TABLE billing_checkout_sessions (
    session_id   text COLLATE "C" PRIMARY KEY,
    account_id   text COLLATE "C" NOT NULL,
    kind         text NOT NULL CHECK (kind = 'plan'),
    mode         text NOT NULL CHECK (mode IN ('setup', 'subscription')),
    plan_id      text NOT NULL,  -- the plan the session sells
    plan_id_then text NOT NULL,  -- the plan the organization was on when it was created
    locked_then  boolean NOT NULL,
    created_at   timestamptz NOT NULL,
    status       text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'applied', 'refused')),
    refusal      text,           -- why it was refused
    given_back   text,           -- what was undone at Stripe (the subscription cancelled, refund)
    resolved_at  timestamptz,
    CHECK ((status = 'refused') = (refusal IS NOT NULL)),
    CHECK ((status = 'open') = (resolved_at IS NULL))
);
CREATE INDEX billing_checkout_sessions_refused ON billing_checkout_sessions (resolved_at)
    WHERE status = 'refused';
