-- The journal on Kafka: the plugins' consumers read the journal's entries of a round's ids only
-- where the index may have found a second copy (issue 56: PostgreSQL per round, not per event).
-- For the index's places (consumer '#index'), the offset of the last record in the partition
-- that the index did not take as its event's first copy (a redelivery that raced past intake,
-- another body under an id, or a record that is not a journal entry); null: none. Every record
-- after it, up to the index's place, is the first copy of its event, handed without a look-up.
ALTER TABLE host_kafka_offsets ADD COLUMN last_repeat BIGINT;

-- What the index decided before this version is not known: every record it has passed is
-- looked up, as before.
UPDATE host_kafka_offsets SET last_repeat = next_offset - 1
WHERE consumer = '#index' AND next_offset > 0;
