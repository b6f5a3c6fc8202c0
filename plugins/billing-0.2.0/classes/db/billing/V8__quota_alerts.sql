-- Quota alerts sent: one row per account, meter, threshold and billing period. check-quotas
-- inserts the row (ON CONFLICT DO NOTHING) before it publishes the alert, and publishes only
-- when its insert made the row: a re-run, a second node or a restart finds it and sends nothing,
-- and going back under and over again in the same period does not repeat the alert.
CREATE TABLE billing_quota_alerts (
    user_id      text COLLATE "C" NOT NULL,
    meter        text COLLATE "C" NOT NULL,
    threshold    text        NOT NULL CHECK (threshold IN ('warning', 'exceeded')),
    period_start timestamptz NOT NULL,
    used         numeric     NOT NULL,
    quota_limit  numeric     NOT NULL,
    percent      numeric,    -- null for a limit of zero
    sent_at      timestamptz NOT NULL,
    PRIMARY KEY (user_id, meter, threshold, period_start)
);
