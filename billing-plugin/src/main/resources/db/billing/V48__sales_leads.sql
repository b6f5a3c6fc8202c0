-- Sales leads (GET /admin/leads, billing.lead.detected; docs/analytics.md "Sales leads").
--
-- What an organization used is read "now" only (QuotaReadings): no table kept how close to its
-- limits it ran on a given day. check-quotas, which judges every organization's quota on every
-- run, now keeps one row per organization, meter and day (in the billing zone) on which a run
-- found the organization, then on one of leadPlans, at or above leadLimitPercent of a limit:
-- the highest share of the limit seen that day, and the first instant a run found it at or over
-- a hard limit. Rows older than the 30 days leads look at are deleted by the same job.
CREATE TABLE billing_lead_days (
    org_id        text COLLATE "C" NOT NULL,
    meter         text COLLATE "C" NOT NULL,
    day           date        NOT NULL,
    highest_share numeric     NOT NULL CHECK (highest_share > 0), -- used ÷ limit, highest seen
    hard_limit_at timestamptz, -- the first run of the day that found it at or over a hard limit
    PRIMARY KEY (org_id, meter, day)
);
-- the last 30 days of every organization (the leads), and the days to delete
CREATE INDEX billing_lead_days_day ON billing_lead_days (day);

-- Leads announced (billing.lead.detected): one row per organization, reason and 30-day window
-- (window_start: a day 30 × n days after 1970-01-01). check-quotas inserts the rows (ON
-- CONFLICT DO NOTHING) before it publishes, and publishes only the ones its insert made: a
-- re-run, a second node or a restart sends nothing again within the window.
CREATE TABLE billing_lead_notices (
    org_id       text COLLATE "C" NOT NULL,
    reason       text NOT NULL CHECK (reason IN ('near_limits', 'hit_hard_limit', 'members_grew')),
    window_start date        NOT NULL,
    sent_at      timestamptz NOT NULL,
    PRIMARY KEY (org_id, reason, window_start)
);

-- The organizations whose members changed in the last 30 days (member growth): the events of a
-- range of instants, instead of every organization's events.
CREATE INDEX billing_org_events_occurred ON billing_org_events (occurred_at);
