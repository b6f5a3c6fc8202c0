-- What a Stripe invoice mirroring ours asks Stripe to collect (docs/stripe.md "Stripe Billing"):
-- our invoice's total but the plan fee a Stripe Subscription collects (and that fee's tax), at
-- least 0 (a credit larger than the rest stays with Stripe as the customer's balance). Set when
-- the mirror is sent; invoice.paid pays our invoice when Stripe took this amount.
ALTER TABLE billing_stripe_invoices ADD COLUMN amount numeric CHECK (amount >= 0);
