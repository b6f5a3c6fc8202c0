-- Trials (issue 55). A plan with trial_days gives an organization that starts it (opened on it, or
-- moving onto it) the plan's limits without its fee until the trial ends: its term is a trial
-- term, free (price 0), whose trial_ends_at says until when. The trials job ends it at that
-- instant, whenever it runs: a paid term of the same plan and version starts then at the fee the
-- trial kept (converted), or a term of the default plan (lapsed). A plan change before it ends it
-- at the change. One trial per organization and plan: a second start of the plan pays from the
-- start.
ALTER TABLE billing_subscriptions
    ADD COLUMN trial_ends_at timestamptz,
    ADD CONSTRAINT billing_subscriptions_trial_is_free
        CHECK (trial_ends_at IS NULL OR (trial_ends_at > started_at AND price = 0));

-- One row per organization and plan it ever had a trial of (the primary key is the rule).
-- fee: the plan's fee per interval in the term's currency when the trial began, on the term's
-- version: what the organization pays from the trial's end if it converts.
-- will_end_told_at: when billing.trial.will_end was published (claimed by the run that set it,
-- so it is published once across nodes).
-- outcome: null while the trial runs; converted, lapsed, or changed (the organization moved to
-- another plan before its end), set with ended_at by the run that ended it.
CREATE TABLE billing_trials (
    org_id           text COLLATE "C" NOT NULL REFERENCES billing_accounts (user_id),
    plan_id          text        NOT NULL,
    term_id          bigint      NOT NULL UNIQUE REFERENCES billing_subscriptions (id),
    fee              numeric     NOT NULL CHECK (fee >= 0),
    will_end_told_at timestamptz,
    outcome          text CHECK (outcome IN ('converted', 'lapsed', 'changed')),
    ended_at         timestamptz,
    CHECK ((outcome IS NULL) = (ended_at IS NULL)),
    PRIMARY KEY (org_id, plan_id)
);
-- The trials still running: what the trials job reads each minute.
CREATE INDEX billing_trials_running ON billing_trials (term_id) WHERE outcome IS NULL;
