-- Spending limits: an account's cap on what one billing period costs (its estimate: what the
-- period's invoice would charge if finalized now, before credits), in the account's currency.
-- reached_at: when a check first found the estimate at or over the amount in the period of
-- reached_period (a block holds the account notice minutes after it); null while under it.
CREATE TABLE billing_spending_limits (
    user_id         text COLLATE "C" PRIMARY KEY REFERENCES billing_accounts (user_id),
    amount          numeric     NOT NULL CHECK (amount > 0),
    warn_at_percent integer     NOT NULL CHECK (warn_at_percent BETWEEN 1 AND 100),
    action          text        NOT NULL CHECK (action IN ('warn', 'block')),
    set_by          text COLLATE "C" NOT NULL,
    set_at          timestamptz NOT NULL,
    reached_at      timestamptz,
    reached_period  timestamptz,
    CHECK ((reached_at IS NULL) = (reached_period IS NULL))
);

-- Spend alerts sent: one row per account, threshold and billing period, claimed (inserted, ON
-- CONFLICT DO NOTHING) before the event is published, as quota alerts (V8): only the insert
-- that made the row publishes, so a re-run or a second node never repeats it.
CREATE TABLE billing_spend_alerts (
    user_id      text COLLATE "C" NOT NULL,
    threshold    text        NOT NULL CHECK (threshold IN ('warning', 'reached')),
    period_start timestamptz NOT NULL,
    estimate     numeric     NOT NULL,
    amount       numeric     NOT NULL,
    sent_at      timestamptz NOT NULL,
    PRIMARY KEY (user_id, threshold, period_start)
);
