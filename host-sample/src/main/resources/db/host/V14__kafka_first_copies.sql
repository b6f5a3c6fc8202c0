-- The journal on Kafka without a claim at intake (docs/operator-guide.md, "The journal on
-- Kafka"): intake only reads host_event_ids; the journal's index claims each id for the first
-- copy of its event in the topic and records here which record that is, so that the plugins'
-- consumers hand that copy and skip any other (a redelivery that raced past intake, or another
-- body under the id, which the index sets aside as a dead letter). Null for ids claimed before
-- this version, or by the PostgreSQL journal.
ALTER TABLE host_event_ids
  ADD COLUMN kafka_partition INT,
  ADD COLUMN kafka_offset    BIGINT;
