-- What a plan term includes of each held meter (a plan's limits.gpu: {"gpu": 1}), by meter id,
-- copied from the plan as it was when the term started, as cpu_limit, memory_limit and
-- storage_limit are: hybrid overage of a held meter is billed above it, and a later change to
-- the plan does not rewrite what was billed. A meter the plan leaves unlimited has no key.
-- (A constant default: adding the column rewrites no row.)
ALTER TABLE billing_subscriptions
    ADD COLUMN held_limits jsonb NOT NULL DEFAULT '{}'
        CHECK (jsonb_typeof(held_limits) = 'object');
