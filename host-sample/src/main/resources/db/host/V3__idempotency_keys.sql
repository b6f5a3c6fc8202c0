-- The first answer to each plugin POST sent with an Idempotency-Key, per caller, replayed to
-- retries of the same request. status is null while that first request is still running.
-- Rows are kept 24 hours, then pruned by created_at.
CREATE TABLE host_idempotency_keys
(
  user_id         TEXT        NOT NULL,
  idempotency_key TEXT        NOT NULL,
  request_hash    TEXT        NOT NULL,
  created_at      TIMESTAMPTZ NOT NULL,
  status          INTEGER,
  content_type    TEXT,
  headers         JSONB,
  body            BYTEA,
  completed_at    TIMESTAMPTZ,
  PRIMARY KEY (user_id, idempotency_key)
);

CREATE INDEX host_idempotency_keys_created ON host_idempotency_keys (created_at);
