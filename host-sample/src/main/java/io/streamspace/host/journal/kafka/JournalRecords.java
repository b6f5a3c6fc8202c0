package io.streamspace.host.journal.kafka;

import io.streamspace.common.time.InstantText;
import io.streamspace.common.time.IsoInstants;
import io.streamspace.host.journal.EventJournal;
import io.streamspace.host.journal.JournalEntry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * A journal entry as a Kafka record, and back: the key is the event's billing account (its
 * organization, or the user's personal one), so one account's events stay in order in one
 * partition; the value is the body as the platform posted it; the headers carry the columns the
 * journal keeps beside it; the record's timestamp is when it was journaled.
 */
public final class JournalRecords {

  static final String EVENT_ID = "event_id";
  static final String EVENT_TYPE = "event_type";
  static final String OCCURRED_AT = "occurred_at";
  static final String USER_ID = "user_id";
  static final String SESSION_ID = "session_id";

  private JournalRecords() {}

  /** The record that journals {@code entry} at {@code journaledAt}. */
  public static ProducerRecord<byte[], byte[]> record(
      String topic, JournalEntry entry, Instant journaledAt) {
    Headers headers = new RecordHeaders();
    headers.add(EVENT_TYPE, utf8(entry.type()));
    headers.add(OCCURRED_AT, utf8(InstantText.of(entry.occurredAt())));
    headers.add(USER_ID, utf8(entry.userId()));
    if (entry.sessionId() != null) {
      headers.add(SESSION_ID, utf8(entry.sessionId()));
    }
    // last: a plugin's consumer reads the id alone ({@link #eventId}), and a header is looked up
    // from the last, each key it passes decoded (older records, with the id first, read the same)
    headers.add(EVENT_ID, utf8(entry.eventId()));
    return new ProducerRecord<>(
        topic,
        null,
        journaledAt.toEpochMilli(),
        utf8(entry.account()),
        utf8(entry.body()),
        headers);
  }

  /** The entry a record journals, at its partition and offset. */
  public static EventJournal.Journaled journaled(ConsumerRecord<byte[], byte[]> record) {
    Headers headers = record.headers();
    return new EventJournal.Journaled(
        record.partition(),
        record.offset(),
        Instant.ofEpochMilli(record.timestamp()),
        new JournalEntry(
            text(headers, EVENT_ID),
            text(headers, EVENT_TYPE),
            IsoInstants.parse(text(headers, OCCURRED_AT)),
            text(headers, USER_ID),
            text(headers, SESSION_ID),
            new String(record.value(), StandardCharsets.UTF_8),
            new String(record.key(), StandardCharsets.UTF_8)));
  }

  /** The id of the event a record journals, read alone; null when it has none. */
  static String eventId(ConsumerRecord<byte[], byte[]> record) {
    return text(record.headers(), EVENT_ID);
  }

  private static String text(Headers headers, String key) {
    Header header = headers.lastHeader(key);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
