-- Plan migrations (issue 55): an admin moves the organizations on one version of a plan onto
-- another at an instant (effective_at: a plan term boundary, prorated as a plan change is),
-- telling each of them notice_days before (notice_at). plan-migrations (every minute) publishes
-- the notices from notice_at and moves the organizations from effective_at; a migration is
-- cancelled, changing nothing, until its effective instant.
CREATE TABLE billing_plan_migrations (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    plan_id       text        NOT NULL,
    from_version  integer     NOT NULL,
    to_version    integer     NOT NULL CHECK (to_version <> from_version),
    effective_at  timestamptz NOT NULL,
    notice_days   integer     NOT NULL CHECK (notice_days >= 0),
    notice_at     timestamptz NOT NULL CHECK (notice_at <= effective_at),
    status        text        NOT NULL DEFAULT 'scheduled'
        CHECK (status IN ('scheduled', 'applied', 'cancelled')),
    reason        text        NOT NULL,
    created_by    text        NOT NULL,
    created_at    timestamptz NOT NULL,
    cancelled_at  timestamptz,
    cancelled_by  text,
    cancel_reason text,
    applied_at    timestamptz,
    moved         integer     NOT NULL DEFAULT 0, -- organizations moved so far
    CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL)),
    CHECK ((status = 'applied') = (applied_at IS NOT NULL)),
    FOREIGN KEY (plan_id, from_version) REFERENCES billing_plan_versions (plan_id, version),
    FOREIGN KEY (plan_id, to_version) REFERENCES billing_plan_versions (plan_id, version)
);
-- One scheduled migration from a version at a time: a second would tell the same organizations
-- of another change they would never see (the first moves them).
CREATE UNIQUE INDEX billing_plan_migrations_one_scheduled
    ON billing_plan_migrations (plan_id, from_version) WHERE status = 'scheduled';

-- The organizations told of a migration (billing.plan.migration_scheduled), one row each: made
-- by the run whose insert made it, which alone publishes, so each is told once across nodes.
CREATE TABLE billing_plan_migration_notices (
    migration_id bigint           NOT NULL REFERENCES billing_plan_migrations (id),
    org_id       text COLLATE "C" NOT NULL REFERENCES billing_accounts (user_id),
    noticed_at   timestamptz      NOT NULL,
    PRIMARY KEY (migration_id, org_id)
);
-- The Owner's page reads an organization's notices (GET /subscription: the coming change).
CREATE INDEX billing_plan_migration_notices_org ON billing_plan_migration_notices (org_id);
