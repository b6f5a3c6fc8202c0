-- Webhooks (README "Webhooks"): endpoints an admin registers, and the durable outbox of their
-- deliveries. A published event matching an endpoint's types becomes one delivery row in the
-- statement that accepts it; delivery workers on any node claim due rows with
-- FOR UPDATE SKIP LOCKED and lease them (next_attempt_at moved ahead) while they send.

CREATE TABLE host_webhook_endpoints (
    id          BIGSERIAL PRIMARY KEY,
    url         TEXT        NOT NULL,
    -- exact types, or a prefix ending in '*' ('billing.*'; '*' alone is every type)
    event_types TEXT[]      NOT NULL,
    -- the signing secret, encrypted with the host's secrets key (SecretBox, place webhooks/<id>)
    secret      TEXT        NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    disabled_at TIMESTAMPTZ
);

CREATE TABLE host_webhook_deliveries (
    id                 BIGSERIAL PRIMARY KEY,
    endpoint_id        BIGINT      NOT NULL REFERENCES host_webhook_endpoints (id),
    event_id           TEXT        NOT NULL,
    event_type         TEXT        NOT NULL,
    -- the exact JSON body every attempt sends (and signs)
    body               TEXT        NOT NULL,
    -- pending (due at next_attempt_at), delivered, failed (given up)
    status             TEXT        NOT NULL,
    attempts           INT         NOT NULL DEFAULT 0,
    created_at         TIMESTAMPTZ NOT NULL,
    next_attempt_at    TIMESTAMPTZ,
    last_attempt_at    TIMESTAMPTZ,
    last_response_code INT,
    last_error         TEXT,
    delivered_at       TIMESTAMPTZ,
    UNIQUE (endpoint_id, event_id)
);

CREATE INDEX host_webhook_deliveries_due
    ON host_webhook_deliveries (next_attempt_at) WHERE status = 'pending';

-- every attempt, scheduled or replayed, for the deliveries list
CREATE TABLE host_webhook_attempts (
    id            BIGSERIAL PRIMARY KEY,
    delivery_id   BIGINT      NOT NULL REFERENCES host_webhook_deliveries (id),
    attempted_at  TIMESTAMPTZ NOT NULL,
    response_code INT,
    error         TEXT,
    replay        BOOLEAN     NOT NULL
);

CREATE INDEX host_webhook_attempts_delivery ON host_webhook_attempts (delivery_id, id);
