-- The journal on Kafka writes one row per event (issue 56): its index takes each id by writing
-- the event's entry into host_journal, whose unique event_id (V13) is the claim, and records
-- there which record of the topic that first copy is, so that the plugins' consumers hand that
-- copy and skip any other (docs/operator-guide.md, "The journal on Kafka"). Until now it also
-- wrote an id row (host_event_ids) per event; intake and the consumers read host_journal now.
-- Null for the PostgreSQL journal's entries, and for the Kafka journal's written before V14.
ALTER TABLE host_journal
  ADD COLUMN kafka_partition INT,
  ADD COLUMN kafka_offset    BIGINT;

-- The places the index recorded in host_event_ids, so that a record not yet handed to a plugin
-- (or handed again by a replay) is still told from a second copy of its event. host_event_ids is
-- no longer written; its rows are forgotten by the retention, at their age, as before.
UPDATE host_journal j
SET kafka_partition = k.kafka_partition, kafka_offset = k.kafka_offset
FROM host_event_ids k
WHERE k.event_id = j.event_id AND k.kafka_partition IS NOT NULL;
