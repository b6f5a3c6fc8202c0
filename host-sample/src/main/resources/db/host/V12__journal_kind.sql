-- Which journal the nodes on this database run (--journal postgres or kafka). Nodes running
-- different journals on one database would each hand the plugins only their own events, and the
-- places they keep would not mean the same thing: the first node to start records its journal,
-- and a node started with another is refused, unless it is started with --switch-journal
-- (docs/operator-guide.md, "Switching the journal").
CREATE TABLE host_journal_kind
(
  one         BOOLEAN     PRIMARY KEY DEFAULT true CHECK (one), -- a single row
  kind        TEXT        NOT NULL CHECK (kind IN ('postgres', 'kafka')),
  recorded_at TIMESTAMPTZ NOT NULL
);

-- A database already in use records the journal its data shows: Kafka when a consumer has a
-- place in a topic, else PostgreSQL when the journal holds entries. A database with neither is
-- recorded by the first node that starts on it.
INSERT INTO host_journal_kind (kind, recorded_at)
SELECT CASE WHEN EXISTS (SELECT 1 FROM host_kafka_offsets) THEN 'kafka' ELSE 'postgres' END, now()
WHERE EXISTS (SELECT 1 FROM host_kafka_offsets) OR EXISTS (SELECT 1 FROM host_journal);
