-- The platform's usage reports of counted meters (bandwidth_gb, transcoding_minutes,
-- ai_queries): one row per usage.reported event, keyed by its id, so a redelivery inserts
-- nothing. A meter's counter for a billing period is the sum of the reports that occurred in it.
CREATE TABLE billing_usage_reports (
    event_id    text COLLATE "C" PRIMARY KEY,
    user_id     text COLLATE "C" NOT NULL,
    meter       text COLLATE "C" NOT NULL,
    quantity    numeric     NOT NULL CHECK (quantity >= 0),
    session_id  text COLLATE "C", -- null: not reported against a session
    occurred_at timestamptz NOT NULL
);
-- a counter is summed per account, meter and period from this index alone
CREATE INDEX billing_usage_reports_counter
    ON billing_usage_reports (user_id, meter, occurred_at) INCLUDE (quantity);
