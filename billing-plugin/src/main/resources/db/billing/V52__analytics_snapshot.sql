-- The subscription analytics of the last twelve months (GET /admin/analytics' default range):
-- every organization's MRR at every month boundary and the cohorts, which read every plan term
-- (a second or more at 100,000 organizations with a year of history), and the receivables, which
-- read every open invoice. The refresh-dashboard job computes them with the analytics' own
-- statements every 5 minutes and keeps the latest here, as the dashboard's figures are kept; a
-- request inside this range answers them as of taken_at. One row; months, cohorts and
-- receivables are the answer's own JSON.
CREATE TABLE billing_analytics_snapshot (
    only_row   boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    taken_at   timestamptz NOT NULL,
    time_zone  text        NOT NULL, -- the billing zone of the months
    from_month date        NOT NULL CHECK (extract(day FROM from_month) = 1),
    to_month   date        NOT NULL CHECK (to_month >= from_month AND extract(day FROM to_month) = 1),
    months     jsonb       NOT NULL, -- [MonthFigures], by month then currency
    cohorts     jsonb      NOT NULL, -- [Cohort], by cohort month then currency
    receivables jsonb      NOT NULL  -- [Bucket], by currency then age, at taken_at
);

-- The sales leads (GET /admin/leads) as check-quotas judged them at its last run: the leads'
-- statement reads every organization's days near its limits of the last 30 days (a few hundred
-- milliseconds with 5,000 leads), once a run, into these rows, from which the run announces the
-- new ones (billing.lead.detected) and the route answers a page. judged_by holds the billing zone
-- and the config keys they were judged with: after a change of them the route judges them again.
CREATE TABLE billing_lead_snapshot_taken (
    only_row  boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    taken_at  timestamptz NOT NULL,
    judged_by text        NOT NULL
);
CREATE TABLE billing_lead_snapshot (
    org_id        text COLLATE "C" PRIMARY KEY,
    plan_id       text    NOT NULL,
    near_meters   text[],
    near_days     bigint[],
    near_shares   numeric[],
    days_above    bigint  NOT NULL,
    highest_share numeric NOT NULL,
    hit_meters    text[],
    hit_ats       timestamptz[],
    hit_at        timestamptz,
    members_from  bigint,
    members_to    bigint,
    members_added bigint  NOT NULL
);

-- The receivables by age (above): every invoice sent or overdue with its due date, read from the
-- index without visiting the table.
DROP INDEX billing_invoices_outstanding;
CREATE INDEX billing_invoices_outstanding ON billing_invoices (status)
    INCLUDE (currency, total, due_at)
    WHERE status IN ('sent', 'overdue');
