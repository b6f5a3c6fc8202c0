-- Budgets: what an organization (member_id null), or one of its members, means to spend in a
-- billing period, in the organization's currency. A budget holds nothing back: check-budgets
-- tells when the forecast's p50 path crosses it before the period ends
-- (billing.budget.forecast_exceeded). period: the billing period ('month', the only one for now).
CREATE TABLE billing_budgets (
    org_id    text COLLATE "C" NOT NULL REFERENCES billing_accounts (user_id),
    member_id text COLLATE "C",
    amount    numeric     NOT NULL CHECK (amount > 0),
    period    text        NOT NULL CHECK (period = 'month'),
    set_by    text COLLATE "C" NOT NULL,
    set_at    timestamptz NOT NULL,
    -- one budget per organization and one per member of it
    UNIQUE NULLS NOT DISTINCT (org_id, member_id)
);

-- The alerts sent: one row per budget (its organization, member and amount) and billing period,
-- claimed (inserted, ON CONFLICT DO NOTHING) before the event is published, as spend alerts
-- (V15): only the insert that made the row publishes, so a re-run or a second node never repeats
-- it. A budget set to another amount may be crossed, and told, again in the same period.
CREATE TABLE billing_budget_alerts (
    org_id       text COLLATE "C" NOT NULL,
    member_id    text COLLATE "C",
    amount       numeric     NOT NULL,
    period_start timestamptz NOT NULL,
    p50          numeric     NOT NULL,
    crosses_at   timestamptz NOT NULL,
    sent_at      timestamptz NOT NULL,
    UNIQUE NULLS NOT DISTINCT (org_id, member_id, amount, period_start)
);
