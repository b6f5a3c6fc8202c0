-- The event journal (README, "The event journal"): every platform event the host accepted, kept
-- for the retention (the maximum event age) whatever the plugins did with it. Intake answers 202
-- only once a batch is committed here; plugins consume it through their cursors.

-- One row per event id ever journaled within the retention: a redelivered id finds its row and
-- has no second effect. Not partitioned, so that the id is unique across days; rows older than
-- the retention are deleted in small batches.
CREATE TABLE host_event_ids
(
  event_id     TEXT PRIMARY KEY,
  body_sha256  BYTEA       NOT NULL, -- of the journaled body: another body under the id conflicts
  seq          BIGINT      NOT NULL, -- the event's entry in host_journal
  journaled_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX host_event_ids_age ON host_event_ids (journaled_at);

-- Positions in the journal. Appends take a transaction-level advisory lock before drawing their
-- numbers and keep it until they commit, so entries become visible in the order of seq: a
-- consumer that has read up to seq n never finds a smaller seq committed later.
CREATE SEQUENCE host_journal_seq AS BIGINT;

-- The events, partitioned by the day they were journaled (UTC), so that retention drops whole
-- days. body is the event as EventWire writes it (the format of POST /api/platform/events, JSON
-- text), from which it is delivered to plugins.
CREATE TABLE host_journal
(
  seq          BIGINT      NOT NULL,
  journaled_at TIMESTAMPTZ NOT NULL,
  event_id     TEXT        NOT NULL,
  event_type   TEXT        NOT NULL,
  occurred_at  TIMESTAMPTZ NOT NULL,
  user_id      TEXT        NOT NULL,
  session_id   TEXT,
  body         TEXT        NOT NULL,
  PRIMARY KEY (seq, journaled_at)
) PARTITION BY RANGE (journaled_at);

-- Support's question "why was I billed this": the events of a user or a session, by time.
CREATE INDEX host_journal_user ON host_journal (user_id, occurred_at);
CREATE INDEX host_journal_session ON host_journal (session_id) WHERE session_id IS NOT NULL;

-- Days get their own partitions ahead of time (JournalPartitions); anything else lands here.
CREATE TABLE host_journal_default PARTITION OF host_journal DEFAULT;

-- Each plugin's place in the journal: every entry up to position was handed to its hooks and
-- flushed. One node at a time consumes a plugin's journal: the holder of an unexpired lease.
CREATE TABLE host_journal_cursors
(
  plugin_id   TEXT PRIMARY KEY,
  position    BIGINT      NOT NULL CHECK (position >= 0),
  holder      TEXT,        -- the node consuming, null when none
  lease_until TIMESTAMPTZ, -- database time: node clocks may differ
  updated_at  TIMESTAMPTZ NOT NULL
);
