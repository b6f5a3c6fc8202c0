-- Platform events a plugin could never store: its database refused them for a reason retrying
-- cannot fix (README, "Write-behind"). Kept, with the reason, until an admin replays them after a
-- fix; never deleted by the host. One row per plugin and event id: the same event set aside
-- again (redelivered, or a replay that failed) updates its row.
CREATE TABLE host_dead_letters
(
  id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  plugin_id       TEXT        NOT NULL,
  event_id        TEXT        NOT NULL,
  event_type      TEXT        NOT NULL, -- the wire type: user.created, session.heartbeat...
  -- the event as the platform posts it, to replay: JSON text, not jsonb, which cannot hold a
  -- \u0000 escape, exactly the kind of content a database may refuse
  event           TEXT        NOT NULL,
  -- the host journal's entry of the event, once the host journals accepted events (issue 8);
  -- null for events set aside before that
  journal_id      BIGINT,
  reason          TEXT        NOT NULL, -- the last failure's
  failures        INTEGER     NOT NULL DEFAULT 1 CHECK (failures > 0),
  first_failed_at TIMESTAMPTZ NOT NULL,
  last_failed_at  TIMESTAMPTZ NOT NULL,
  replay_status   TEXT        NOT NULL DEFAULT 'pending'
    CHECK (replay_status IN ('pending', 'replayed', 'replay_failed')),
  replayed_at     TIMESTAMPTZ,
  UNIQUE (plugin_id, event_id)
);
