-- The open sessions, by organization: admission's reload loads every account with an open
-- session (and the accounts it holds), so it finds them here, in proportion to the sessions
-- open, not to every session ever stored. last_heartbeat is in the key so the reload's
-- "not timed out" is read from the index.
CREATE INDEX billing_sessions_open ON billing_sessions (org_id, last_heartbeat)
    WHERE ended_at IS NULL;
