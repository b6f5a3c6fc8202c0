-- The journal is its own record of the ids it holds: one row per accepted event, its event_id
-- unique, so an append is one INSERT of its new events and nothing more (issue 56). Until now an
-- append wrote each event twice, an id row (host_event_ids) and the entry (host_journal), because
-- a table partitioned by day cannot hold a key unique across days on event_id alone.
--
-- So host_journal is no longer partitioned: retention deletes its oldest entries in small batches
-- by seq (JournalRetention) instead of dropping days. A redelivery is told from a conflict by the
-- body itself (one canonical form per event, JournalEntry): no hash of it is kept beside it.
-- host_event_ids stays for the journal on Kafka, whose intake claims ids before the entries exist.

CREATE TABLE host_journal_unpartitioned
(
  seq          BIGINT      PRIMARY KEY, -- host_journal_seq: appends draw in order under a lock
  journaled_at TIMESTAMPTZ NOT NULL,
  event_id     TEXT        NOT NULL UNIQUE, -- a redelivered id finds its entry
  event_type   TEXT        NOT NULL,
  occurred_at  TIMESTAMPTZ NOT NULL,
  user_id      TEXT        NOT NULL,
  session_id   TEXT,
  body         TEXT        NOT NULL  -- the event as EventWire writes it (JSON text)
);

-- Each id kept once, though no append ever wrote one twice (the ids were unique in host_event_ids).
INSERT INTO host_journal_unpartitioned
  (seq, journaled_at, event_id, event_type, occurred_at, user_id, session_id, body)
SELECT seq, journaled_at, event_id, event_type, occurred_at, user_id, session_id, body
FROM host_journal
ORDER BY seq
ON CONFLICT (event_id) DO NOTHING;

DROP TABLE host_journal; -- with its day partitions and their indexes
ALTER TABLE host_journal_unpartitioned RENAME TO host_journal;
ALTER TABLE host_journal RENAME CONSTRAINT host_journal_unpartitioned_pkey TO host_journal_pkey;
ALTER TABLE host_journal
  RENAME CONSTRAINT host_journal_unpartitioned_event_id_key TO host_journal_event_id_key;

-- Support's question "why was I billed this": the events of a user or a session, by time; and a
-- plugin's look-up of a page's sessions (JournalEventLookup).
CREATE INDEX host_journal_user ON host_journal (user_id, occurred_at);
CREATE INDEX host_journal_session ON host_journal (session_id) WHERE session_id IS NOT NULL;

-- The first entry journaled at or after an instant (a replay's start) and the entries past the
-- retention: entries are appended in the order of journaled_at, which a block-range index
-- summarizes for next to nothing per append. A range is summarized once it is full
-- (autosummarize); until then it counts as matching any instant, so it is read whole.
CREATE INDEX host_journal_age ON host_journal USING brin (journaled_at) WITH (autosummarize = on);
