-- When a Stripe Subscription began to charge its organization's plan fee (its Checkout's
-- completion, when the plan changed to it): the plan fee lines of our invoices from then on are
-- the Subscription's, and are left off the invoice's mirror at Stripe; those before it (the
-- plan billed by us until then) are not (docs/stripe.md "Stripe Billing").
ALTER TABLE billing_stripe_subscriptions ADD COLUMN started_at timestamptz;
UPDATE billing_stripe_subscriptions SET started_at = event_at WHERE started_at IS NULL;
ALTER TABLE billing_stripe_subscriptions ALTER COLUMN started_at SET NOT NULL;
