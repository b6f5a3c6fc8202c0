package io.streamspace.host.journal;

import java.time.Duration;

/**
 * How long a journal consumer waits between failed rounds (a database outage, a failed flush):
 * from a tenth of a second, doubled after each failure, up to {@link #MAX}. Both journals'
 * consumers pace their retries by it.
 */
public final class JournalBackoff {

  /** The wait after a first failed round. */
  public static final Duration FIRST = Duration.ofMillis(100);

  /**
   * The longest wait between two failed rounds. After an outage, a consumer resumes within this
   * (plus the pool's 3 s wait for a connection) of the database's return even when nothing wakes
   * it, as clients are told to retry after 5 s ({@code Retry-After}); during one, it logs a line
   * per failed round, every 3 to 8 s.
   */
  public static final Duration MAX = Duration.ofSeconds(5);

  private JournalBackoff() {}

  /** The wait after {@code backoff} when a round failed again: doubled, up to the maximum. */
  public static Duration next(Duration backoff) {
    Duration doubled = backoff.multipliedBy(2);
    return doubled.compareTo(MAX) > 0 ? MAX : doubled;
  }
}
