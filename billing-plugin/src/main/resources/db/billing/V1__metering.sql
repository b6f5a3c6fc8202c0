-- Billing metering schema. Every table is prefixed billing_: the host's tables share the schema.
-- Quantities and prices are NUMERIC without scale: full precision, rounding happens only on
-- line totals when they are shown or invoiced.

CREATE TABLE billing_accounts (
    user_id             text        PRIMARY KEY,
    email               text,
    currency            char(3)     NOT NULL,
    plan_id             text        NOT NULL,
    status              text        NOT NULL DEFAULT 'active',
    created_at          timestamptz NOT NULL,
    -- storage is rated per account up to here (null: never rated)
    storage_rated_until timestamptz
);

CREATE TABLE billing_sessions (
    session_id     text        PRIMARY KEY,
    user_id        text        NOT NULL,
    started_at     timestamptz NOT NULL,
    last_heartbeat timestamptz NOT NULL,
    ended_at       timestamptz,
    end_reason     text,
    -- usage is rated up to here (null: nothing rated yet)
    rated_until    timestamptz
);
CREATE INDEX billing_sessions_user ON billing_sessions (user_id);
-- calculate-usage only looks at sessions that still have time to rate; finished ones drop out
CREATE INDEX billing_sessions_unsettled ON billing_sessions (session_id)
    WHERE ended_at IS NULL OR rated_until IS NULL OR rated_until < ended_at;

-- a session's size is a step function: each row holds from effective_from to the next row
CREATE TABLE billing_session_sizes (
    session_id     text        NOT NULL,
    effective_from timestamptz NOT NULL,
    cpu_cores      numeric     NOT NULL CHECK (cpu_cores >= 0),
    memory_gb      numeric     NOT NULL CHECK (memory_gb >= 0),
    PRIMARY KEY (session_id, effective_from)
);

-- an account's storage level is a step function too, last reported by any of its sessions
CREATE TABLE billing_storage_levels (
    user_id        text        NOT NULL,
    effective_from timestamptz NOT NULL,
    storage_gb     numeric     NOT NULL CHECK (storage_gb >= 0),
    PRIMARY KEY (user_id, effective_from)
);

CREATE TABLE billing_usage_records (
    id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id       text        NOT NULL,
    session_id    text        NOT NULL, -- '' for account-level storage
    resource_type text        NOT NULL CHECK (resource_type IN ('cpu', 'memory', 'storage')),
    slice_start   timestamptz NOT NULL,
    slice_end     timestamptz NOT NULL CHECK (slice_end > slice_start),
    quantity      numeric     NOT NULL,
    unit          text        NOT NULL CHECK (unit IN ('core-hours', 'gb-hours', 'gb-months')),
    unit_price    numeric     NOT NULL,
    total_cost    numeric     NOT NULL, -- quantity * unit_price, not rounded
    currency      char(3)     NOT NULL,
    created_at    timestamptz NOT NULL,
    CONSTRAINT billing_usage_records_slice UNIQUE (user_id, session_id, resource_type, slice_start)
);
CREATE INDEX billing_usage_records_user_time ON billing_usage_records (user_id, slice_start);
