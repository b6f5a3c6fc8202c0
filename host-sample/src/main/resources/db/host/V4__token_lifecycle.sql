-- Tokens get an id (to list and revoke them by), where they came from, an optional expiry, their
-- last use and their revocation. Until now the host stored its admin token on every start
-- (BILLING_ADMIN_TOKEN's, or a newly generated one) like any issued token: those rows (user
-- 'admin' with only the admin role) become legacy tokens, which the next start revokes (one
-- BILLING_ADMIN_TOKEN still set is stored again as the environment token).
ALTER TABLE host_tokens
  ADD COLUMN id           BIGSERIAL,
  ADD COLUMN source       TEXT NOT NULL DEFAULT 'issued'
    CHECK (source IN ('environment', 'generated', 'issued', 'legacy')),
  ADD COLUMN expires_at   TIMESTAMPTZ,
  ADD COLUMN last_used_at TIMESTAMPTZ,
  ADD COLUMN revoked_at   TIMESTAMPTZ;

ALTER TABLE host_tokens DROP CONSTRAINT host_tokens_pkey;
ALTER TABLE host_tokens ADD PRIMARY KEY (id);
ALTER TABLE host_tokens ADD CONSTRAINT host_tokens_token_hash_key UNIQUE (token_hash);
ALTER TABLE host_tokens ALTER COLUMN source DROP DEFAULT;

UPDATE host_tokens SET source = 'legacy' WHERE user_id = 'admin' AND roles = ARRAY ['admin'];

-- At most one generated admin token is active: nodes starting together create one between them.
CREATE UNIQUE INDEX host_tokens_one_active_generated ON host_tokens (source)
  WHERE source = 'generated' AND revoked_at IS NULL;
