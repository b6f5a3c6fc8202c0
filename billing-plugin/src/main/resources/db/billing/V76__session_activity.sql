-- What a session was doing (issue 53): its events' session.activity ('active', 'idle' or
-- 'disconnected'; plugin-api 0.4) and the optional session.used figures that came with it. Per
-- session a step function, as billing_session_held is per meter: each row holds from
-- effective_from to the session's next row; before its first row a session is active. Of two
-- events at one instant, the greater event id wins, whichever is stored first, so the order
-- events arrive in never changes the steps. used: what the session used at the event, by
-- cpu_cores, memory_gb or held meter id (a JSON object of exact numbers; null when not
-- reported), kept for right-sizing advice; nothing prices it.
CREATE TABLE billing_session_activity (
    session_id     text COLLATE "C" NOT NULL,
    effective_from timestamptz NOT NULL,
    state          text COLLATE "C" NOT NULL CHECK (state IN ('active', 'idle', 'disconnected')),
    used           jsonb,
    event_id       text COLLATE "C" NOT NULL,
    PRIMARY KEY (session_id, effective_from)
);

-- A usage record's activity: the state its time was in when the config's activityRates give
-- that state a factor other than 1 for its resource (its unit_price is then the price times the
-- factor), else 'active', so that an operator who does not opt in gets the records as before.
-- Part of the natural key: one slice of a session can hold active and idle time of a resource.
-- (A constant default: adding the column rewrites nothing.)
ALTER TABLE billing_usage_records
    ADD COLUMN activity text COLLATE "C" NOT NULL DEFAULT 'active'
        CHECK (activity IN ('active', 'idle', 'disconnected'));
ALTER TABLE billing_usage_records DROP CONSTRAINT billing_usage_records_slice;
ALTER TABLE billing_usage_records ADD CONSTRAINT billing_usage_records_slice
    PRIMARY KEY (user_id, slice_start, session_id, resource_type, activity);
