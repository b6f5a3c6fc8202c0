package io.streamspace.host.journal;

import io.streamspace.common.time.Backoff;
import io.streamspace.host.plugins.JournalLag;
import io.streamspace.host.plugins.PluginLifecycleListener;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where the host keeps every platform event it accepted, and how each plugin is handed them, in
 * order, once. Two kinds, chosen when the host starts ({@code --journal}): the PostgreSQL journal,
 * the default that needs nothing more ({@link PostgresJournal}), and the Kafka journal, for
 * intake past one database's write rate. Plugins and their hooks cannot tell which one runs: both
 * hand them events through their hooks and wait for their {@code flush()} before moving on.
 *
 * <p>Each kind keeps the same promises: an accepted batch is durable when {@link #append}
 * returns; a redelivered event id has no second effect within the retention; a plugin's place
 * moves only after what it was handed is flushed, so a crash hands it again (its natural keys make
 * that harmless) and never skips.
 */
public interface Journal extends PluginLifecycleListener, JournalLag.Lookup, AutoCloseable {

  /**
   * How long either journal's consumers wait between failed rounds (a database outage, a failed
   * flush): a tenth of a second after the first, doubled after each failure, up to 5 s. After an
   * outage, a consumer resumes within 5 s (plus the pool's 3 s wait for a connection) of the
   * database's return even when nothing wakes it, as clients are told to retry after 5 s ({@code
   * Retry-After}); during one, it logs a line per failed round, every 3 to 8 s.
   */
  Backoff CONSUMER_BACKOFF = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));

  /**
   * Journals a batch, durably when this returns. An id journaled before, or earlier in the batch,
   * is not journaled again: with the same body it is a duplicate, with another a conflict.
   *
   * @throws io.streamspace.common.db.Sql.DatabaseException or {@link
   *     io.streamspace.common.http.ApiException} 503 {@code journal_unavailable} when the batch
   *     could not be journaled: then nothing of it was
   */
  Appended append(List<JournalEntry> entries);

  /** Told the position of each entry a batch journals, by the entry's index in the batch. */
  @FunctionalInterface
  interface Positioned {
    void at(int index, int partition, long seq);
  }

  /**
   * Journals a batch as {@link #append(List)} does, telling {@code positioned} where each new
   * entry went before this node's consumers can read it: the PostgreSQL journal tells it before
   * the batch commits (positions of a batch that then fails are never read); by default, once
   * the batch is journaled.
   */
  default Appended append(List<JournalEntry> entries, Positioned positioned) {
    Appended appended = append(entries);
    appended
        .seqs()
        .forEach(
            (index, seq) ->
                positioned.at(index, appended.partitions().getOrDefault(index, 0), seq));
    return appended;
  }

  /**
   * Something was journaled; called before intake answers. The PostgreSQL journal waits, for at
   * most {@code timeout}, until the plugins consumed on this node have flushed it, so that what a
   * client reads after its answer usually includes it; the Kafka journal returns at once (its
   * answer means the brokers have the batch, and the plugins' lag counts it until they stored
   * it).
   *
   * @return whether they have flushed it (on Kafka, whether there was nothing to flush)
   */
  boolean awaitConsumed(Appended appended, Duration timeout);

  /**
   * Asked before each batch: intake's back-pressure, and what the journal already knows it could
   * not take.
   *
   * @throws io.streamspace.common.http.ApiException 503 {@code journal_backlog} while an enabled
   *     plugin is too far behind; 503 {@code journal_unavailable} while the Kafka journal's brokers
   *     count as down, at once
   */
  void refuseWhenTooFarBehindOrDown();

  /**
   * What support asks for: the journaled events of a user or a session that occurred in {@code
   * [from, to)}, oldest first.
   *
   * @param userId    null for any user (then {@code sessionId} is given)
   * @param sessionId null for any session of the user
   */
  List<EventJournal.Journaled> find(
      String userId, String sessionId, Instant from, Instant to, int limit, int offset);

  /**
   * The journaled events of these sessions that occurred in {@code [from, to)}, oldest first, at
   * most {@code limit}, read at once (what a plugin traces a page of usage records to).
   */
  List<EventJournal.Journaled> findOfSessions(
      Collection<String> sessionIds, Instant from, Instant to, int limit);

  /**
   * Moves a plugin's place back to the first entry journaled at or after {@code from}, so that it
   * is handed everything since when it next starts; for a plugin that is not consuming
   * (disabled), which the caller makes sure of.
   *
   * @return its new place: the position of the last entry it will not be handed again, in each
   *     partition (the PostgreSQL journal has one, partition 0)
   */
  Map<Integer, Long> rewind(String pluginId, Instant from);

  /**
   * This node's name, in leases, consumer groups and as the Quartz instance id: host name,
   * process id (what an operator kills) and a random part (restarts differ).
   */
  String node();

  /**
   * How far the journal's index, support's search ({@code GET /api/admin/journal}), is behind
   * the journal: on Kafka, the records of each partition its consumer has not written into {@code
   * host_journal} yet. Empty for the PostgreSQL journal, whose index is the journal itself.
   */
  default Optional<JournalLag> indexLag() {
    return Optional.empty();
  }

  /** Stops consuming on this node (each plugin's place kept), and lets go of what it holds. */
  @Override
  void close();
}
