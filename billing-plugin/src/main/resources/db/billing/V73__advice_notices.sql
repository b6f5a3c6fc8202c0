-- The advisor's notices (issue 53): one row per organization and closed billing period the
-- advisor has priced, whether or not its saving reached adviceMinSaving, so that check-budgets
-- prices each organization once per period and billing.advice.available is published once,
-- by the run whose insert made the row (across nodes too).
CREATE TABLE billing_advice_notices (
    org_id       text COLLATE "C" NOT NULL REFERENCES billing_accounts (user_id),
    period_start timestamptz NOT NULL,
    currency     char(3)     NOT NULL,
    paid         numeric     NOT NULL, -- the period's charges before credits
    saving       numeric     NOT NULL CHECK (saving >= 0),
    plan_id      text,                 -- the cheapest option's plan
    pack_id      text,                 -- and its pack, when it has one
    published    boolean     NOT NULL, -- whether the saving exceeded adviceMinSaving
    checked_at   timestamptz NOT NULL,
    PRIMARY KEY (org_id, period_start)
);
