-- The organizations on each version of a plan now (issue 55): what the versions list counts and
-- sums, and what a migration notifies and moves, read by the plan and version of the active
-- terms rather than by every term ever started.
CREATE INDEX billing_subscriptions_on_version
    ON billing_subscriptions (plan_id, plan_version, user_id) WHERE ended_at IS NULL;
