-- A plan migration's notice is published from its row (issue 55). The row keeps the event it
-- publishes (payload, written in the transaction that makes the row) and when it was published,
-- set only once the event is out: a node that dies between the row's commit and the publish
-- leaves it unpublished, and a later run, once the claim is older than the lease, claims it again
-- and publishes it from its payload. So no notice is lost; one is published twice only when its
-- node dies between publishing and marking it.
ALTER TABLE billing_plan_migration_notices
    ADD COLUMN payload      jsonb,
    ADD COLUMN claimed_at   timestamptz,
    ADD COLUMN published_at timestamptz;
-- the notices made before this were published right after their rows committed
UPDATE billing_plan_migration_notices SET published_at = noticed_at;
-- what a run looks for first: the notices not published
CREATE INDEX billing_plan_migration_notices_unpublished
    ON billing_plan_migration_notices (claimed_at) WHERE published_at IS NULL;
