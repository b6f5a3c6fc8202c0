package io.streamspace.host.journal;

import java.util.Locale;

/** Which {@link Journal} a host runs, chosen when it starts ({@code --journal}). */
public enum JournalKind {
  /** In the host's PostgreSQL database ({@link PostgresJournal}): the default, needing nothing. */
  POSTGRES,
  /** In a Kafka topic, with the ids, the consumers' places and an index in PostgreSQL. */
  KAFKA;

  /**
   * The kind named {@code text} ({@code postgres} or {@code kafka}, any case).
   *
   * @throws IllegalArgumentException naming the kinds when it is neither
   */
  public static JournalKind of(String text) {
    for (JournalKind kind : values()) {
      if (kind.text().equalsIgnoreCase(text.strip())) {
        return kind;
      }
    }
    throw new IllegalArgumentException("must be postgres or kafka, got " + text);
  }

  /** Its name on the command line. */
  public String text() {
    return name().toLowerCase(Locale.ROOT);
  }
}
