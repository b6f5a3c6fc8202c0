package io.streamspace.host;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamspace.host.deadletters.DeadLetterStore;
import io.streamspace.host.intake.JournalHandoff;
import io.streamspace.host.journal.EventJournal;
import io.streamspace.host.journal.JournalConsumers;
import io.streamspace.host.journal.JournalRetention;
import javax.sql.DataSource;

/**
 * The event journal: every accepted platform event, the consumers that hand it to each plugin in
 * order, the dead letters of what a plugin could never store, and the retention that drops old
 * days.
 */
record JournalWiring(
    EventJournal journal,
    JournalConsumers consumers,
    JournalHandoff handoff,
    DeadLetterStore deadLetters) {

  /** Opens the consumers; each starts consuming when its plugin starts. */
  static JournalWiring open(
      HostOptions options, DataSource dataSource, ObjectMapper mapper, OpenedParts parts) {
    DeadLetterStore deadLetters = new DeadLetterStore(dataSource, options.clock(), mapper);
    EventJournal journal = new EventJournal(dataSource, options.clock());
    // intake keeps the events it journals here for this node's consumers
    JournalHandoff handoff = new JournalHandoff(mapper, options.clock());
    JournalConsumers consumers =
        parts.open(new JournalConsumers(journal, dataSource, handoff, options.clock()));
    return new JournalWiring(journal, consumers, handoff, deadLetters);
  }

  /** Starts dropping the days older than {@code --max-event-age}. */
  void startRetention(HostOptions options, DataSource dataSource, OpenedParts parts) {
    parts.open(new JournalRetention(dataSource, options.clock(), options.maxEventAge())).start();
  }
}
