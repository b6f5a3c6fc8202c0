-- Plan versions (issue 55). A config change that changes a plan's terms (its price in any
-- currency, its interval, its limits, the seats it includes) makes a new version of the plan,
-- numbered from 1; the first change of the config after this migration first keeps each plan as
-- it was configured until then as its version 1. Rows are never changed or deleted: a plan
-- term names the version it was started on, and a migration moves organizations between two.
--
-- terms: the version's terms as plans/PlanVersionTerms writes them: {"interval", "prices" by
-- currency code, "limits" by meter id ({"limit": n or null, "kind": "hard"/"soft" or null for
-- the billing mode's default}), "held_limits" by held meter id}.
CREATE TABLE billing_plan_versions (
    plan_id    text        NOT NULL,
    version    integer     NOT NULL CHECK (version >= 1),
    name       text        NOT NULL, -- the plan's display name when the version was made
    terms      jsonb       NOT NULL CHECK (jsonb_typeof(terms) = 'object'),
    created_at timestamptz NOT NULL,
    created_by text,                 -- the admin whose config change made it; null: the start's
    reason     text,
    PRIMARY KEY (plan_id, version)
);

-- The version of its plan a term was started on. The terms started before versions are on
-- version 1: the plan as configured when versions began. (A constant default: adding the column
-- rewrites no row.)
ALTER TABLE billing_subscriptions
    ADD COLUMN plan_version integer NOT NULL DEFAULT 1 CHECK (plan_version >= 1);
