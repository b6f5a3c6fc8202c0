-- Chargebacks of store purchases (io.streamspace.billing.store.purchase): a purchase paid through
-- Stripe Checkout whose payment the customer disputed and won ('charged_back': Stripe's dispute
-- closed 'lost') ends its access at once, like a refund. It keeps when and why its access ended
-- in the refund's columns: refunded_at (when the dispute's closing was applied), refunded_by (the
-- Stripe event) and refund_reason (the dispute and its reason).
ALTER TABLE billing_store_purchases DROP CONSTRAINT billing_store_purchases_status_check;
ALTER TABLE billing_store_purchases ADD CONSTRAINT billing_store_purchases_status_check
    CHECK (status IN ('active', 'refunded', 'charged_back'));

-- the check that a refunded purchase says when and why, named by PostgreSQL in V44: found by
-- what it says
DO $$
DECLARE
    name text;
BEGIN
    SELECT conname INTO STRICT name FROM pg_constraint
    WHERE conrelid = 'billing_store_purchases'::regclass AND contype = 'c'
      AND pg_get_constraintdef(oid) LIKE '%refund_reason IS NOT NULL%';
    EXECUTE format('ALTER TABLE billing_store_purchases DROP CONSTRAINT %I', name);
END
$$;
ALTER TABLE billing_store_purchases ADD CONSTRAINT billing_store_purchases_ended_check
    CHECK ((status <> 'active') = (refunded_at IS NOT NULL AND refund_reason IS NOT NULL));
-- only a payment Stripe took can be disputed
ALTER TABLE billing_store_purchases ADD CONSTRAINT billing_store_purchases_charged_back_check
    CHECK (status <> 'charged_back' OR pay = 'checkout');
-- the purchase a dispute's PaymentIntent paid
CREATE INDEX billing_store_purchases_payment_intent ON billing_store_purchases (payment_intent)
    WHERE payment_intent IS NOT NULL;
