-- What the plugin gave back when it ended a Stripe Subscription itself: a refused Checkout's
-- (CheckoutStateCheck, CheckoutsPaidAfterClosing) or one of an organization that closed
-- (SubscriptionsOfClosedOrganizations). Null until then; collect-payments ends a closed
-- organization's subscription until this says it is done, whatever its status: a cancel whose
-- refund failed is cancelled at Stripe, and its customer.subscription.deleted may mark it
-- cancelled here before the next run refunds.
ALTER TABLE billing_stripe_subscriptions ADD COLUMN given_back text;
