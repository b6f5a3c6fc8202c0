package io.streamspace.host;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamspace.host.deadletters.DeadLetterStore;
import io.streamspace.host.intake.JournalHandoff;
import io.streamspace.host.journal.Journal;
import io.streamspace.host.journal.JournalKindRecord;
import io.streamspace.host.journal.JournalRetention;
import io.streamspace.host.journal.NodeName;
import io.streamspace.host.journal.PostgresJournal;
import io.streamspace.host.journal.kafka.KafkaConsumers;
import io.streamspace.host.journal.kafka.KafkaJournal;
import javax.sql.DataSource;

/**
 * The event journal: every accepted platform event, in PostgreSQL (the default) or on Kafka
 * ({@code --journal}), the consumers that hand it to each plugin in order, the dead letters of
 * what a plugin could never store, and the retention that deletes old entries.
 */
record JournalWiring(Journal journal, JournalHandoff handoff, DeadLetterStore deadLetters) {

  /**
   * Opens the journal; each plugin's consumer starts when its plugin starts.
   *
   * @throws Host.StartRefused when the database is used with the other journal, and this is no
   *     switch ({@link JournalKindRecord})
   */
  static JournalWiring open(
      HostOptions options, DataSource dataSource, ObjectMapper mapper, OpenedParts parts) {
    DeadLetterStore deadLetters = new DeadLetterStore(dataSource, options.clock(), mapper);
    // intake keeps the events it journals here for this node's consumers
    JournalHandoff handoff = new JournalHandoff(mapper, options.clock());
    String node = NodeName.ofThisProcess();
    try {
      JournalKindRecord.settle(
          dataSource, options.journal(), options.switchJournal(), options.clock());
    } catch (JournalKindRecord.Mismatch e) {
      throw new Host.StartRefused(e.getMessage(), e);
    }
    Journal journal =
        parts.open(
            switch (options.journal()) {
              case POSTGRES ->
                  new PostgresJournal(
                      dataSource, options.clock(), handoff, options.maxJournalLag(), node);
              case KAFKA ->
                  new KafkaJournal(
                      options.kafka(),
                      dataSource,
                      options.clock(),
                      handoff,
                      KafkaConsumers.backlogAgeBound(options.maxEventAge()),
                      options.maxEventAge(),
                      node);
            });
    return new JournalWiring(journal, handoff, deadLetters);
  }

  /** Starts deleting the entries older than {@code --max-event-age} and a day. */
  void startRetention(HostOptions options, DataSource dataSource, OpenedParts parts) {
    parts
        .open(
            new JournalRetention(
                dataSource, options.clock(), options.maxEventAge(), options.journal()))
        .start();
  }
}
