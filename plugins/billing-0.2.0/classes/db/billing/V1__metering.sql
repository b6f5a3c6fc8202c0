-- Billing metering schema. Every table is prefixed billing_: the host's tables share the schema.
-- Usage and prices are NUMERIC without scale: full precision, rounding happens only on line
-- totals when they are shown or invoiced. Identifiers are text COLLATE "C": they are
-- compared byte-wise, which is what an id needs and much cheaper to index than a locale.

CREATE TABLE billing_accounts (
    user_id             text COLLATE "C" PRIMARY KEY,
    email               text,
    currency            char(3)     NOT NULL,
    plan_id             text        NOT NULL,
    status              text        NOT NULL DEFAULT 'active',
    created_at          timestamptz NOT NULL,
    -- storage is rated per account up to here (null: never rated)
    storage_rated_until timestamptz
) WITH (fillfactor = 50); -- see billing_sessions

CREATE TABLE billing_sessions (
    session_id     text COLLATE "C" PRIMARY KEY,
    user_id        text COLLATE "C" NOT NULL,
    started_at     timestamptz NOT NULL,
    last_heartbeat timestamptz NOT NULL,
    ended_at       timestamptz,
    end_reason     text,
    -- usage is rated up to here (null: nothing rated yet)
    rated_until    timestamptz,
    -- true once the session has ended and all of it is rated: it never needs rating again
    settled        boolean     NOT NULL DEFAULT false
) WITH (fillfactor = 50);
-- Room for HOT updates (heartbeats and watermarks touch no index): calculate-usage moves the
-- watermark of every active session (and account) each run, so a page needs room for a second
-- version of each of its rows; at 80 most of those updates were non-HOT and wrote every index.
CREATE INDEX billing_sessions_user ON billing_sessions (user_id);
-- calculate-usage only looks at sessions that still have time to rate; settled ones drop out.
-- (The predicate is on a flag that changes once, not on rated_until, which changes every run
-- and would make every watermark update a non-HOT update.)
CREATE INDEX billing_sessions_unsettled ON billing_sessions (session_id) WHERE NOT settled;

-- a session's size is a step function: each row holds from effective_from to the next row
CREATE TABLE billing_session_sizes (
    session_id     text COLLATE "C" NOT NULL,
    effective_from timestamptz NOT NULL,
    cpu_cores      numeric     NOT NULL CHECK (cpu_cores >= 0),
    memory_gb      numeric     NOT NULL CHECK (memory_gb >= 0),
    PRIMARY KEY (session_id, effective_from)
);

-- an account's storage level is a step function too, last reported by any of its sessions
CREATE TABLE billing_storage_levels (
    user_id        text COLLATE "C" NOT NULL,
    effective_from timestamptz NOT NULL,
    storage_gb     numeric     NOT NULL CHECK (storage_gb >= 0),
    PRIMARY KEY (user_id, effective_from)
);

CREATE TABLE billing_usage_records (
    -- a stable handle for references; unique by generation. The key is the natural one below.
    id            bigint      GENERATED ALWAYS AS IDENTITY,
    user_id       text COLLATE "C" NOT NULL,
    session_id    text COLLATE "C" NOT NULL, -- '' for account-level storage
    resource_type text COLLATE "C" NOT NULL,
    slice_start   timestamptz NOT NULL,
    slice_end     timestamptz NOT NULL CHECK (slice_end > slice_start),
    -- size x seconds (core-seconds, GB-seconds): a finite decimal, so exact, and so are its sums.
    -- Quantities in units and costs are not stored: they need a division (by UsageUnit's
    -- unit-seconds per unit) that often does not terminate, and rounding it on every record
    -- drifts in the sums. Reports divide once per line (UsageUnit.quantity, Money.lineTotal).
    unit_seconds  numeric     NOT NULL CHECK (unit_seconds > 0),
    unit          text        NOT NULL, -- what unit_price is the price of
    unit_price    numeric     NOT NULL,
    currency      char(3)     NOT NULL,
    created_at    timestamptz NOT NULL,
    -- one record per (user, session, resource, slice start). The columns are ordered so that the
    -- same index serves reads by (user_id, slice_start) range, and it is the only index: each
    -- index costs on the hot insert path of calculate-usage.
    CONSTRAINT billing_usage_records_slice
        PRIMARY KEY (user_id, slice_start, session_id, resource_type),
    CONSTRAINT billing_usage_records_unit CHECK ((resource_type, unit) IN
        (('cpu', 'core-hours'), ('memory', 'gb-hours'), ('storage', 'gb-months')))
);
