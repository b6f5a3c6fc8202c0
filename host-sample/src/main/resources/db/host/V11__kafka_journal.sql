-- The journal on Kafka (docs/operator-guide.md, "The journal on Kafka"): with --journal kafka the
-- events live in a Kafka topic, and PostgreSQL keeps what must be shared and transactional: the
-- ids of the events accepted (a redelivery or a conflict is told at intake, on any node), each
-- consumer's place in each partition, and an index of the journal for support (host_journal,
-- as with the PostgreSQL journal).

-- On Kafka, intake claims an event's id before the brokers acknowledge the event, and the
-- journal's index gives it its seq once it has written the entry into host_journal: until then
-- seq is null. The PostgreSQL journal always sets it.
ALTER TABLE host_event_ids ALTER COLUMN seq DROP NOT NULL;

-- Each consumer's place in each partition of the topic: the offset of the next record it is to
-- be handed. A plugin's consumer moves it only once the plugin has flushed what it was handed
-- (a crash hands those records again; natural keys make that harmless); the journal's index moves
-- it in the transaction that writes the entries.
CREATE TABLE host_kafka_offsets
(
  consumer    TEXT        NOT NULL, -- a plugin's id, or '#index' for the journal's index
  topic       TEXT        NOT NULL,
  partition   INT         NOT NULL CHECK (partition >= 0),
  next_offset BIGINT      NOT NULL CHECK (next_offset >= 0),
  updated_at  TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (consumer, topic, partition)
);
