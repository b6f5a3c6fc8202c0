package io.streamspace.host.journal;

import io.streamspace.common.db.RangeIndex;
import io.streamspace.common.db.Sql;
import io.streamspace.host.threads.Daemons;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the journal for the retention: every hour, one node deletes the entries journaled more
 * than the retention and a day ago (a redelivery of theirs can no longer be accepted, so their ids
 * may be forgotten with them), but only those every installed plugin has consumed (a disabled
 * plugin's backlog is kept until it catches up). Entries go in small batches of {@code seq}
 * ranges, oldest first: appends draw positions in the order they journal, so the old entries are
 * the lowest positions, and each batch is a short transaction on the primary key that neither
 * blocks appends nor bloats one long transaction. The ids earlier versions of the journal on
 * Kafka claimed in {@code host_event_ids} (it writes none now: its entries are its ids, as here)
 * are forgotten at the same age.
 *
 * <p>On Kafka the entries are the journal's index, and the plugins' places are their offsets in
 * the topic ({@code host_kafka_offsets}), whose records the brokers keep as long as this keeps the
 * entries: no plugin holds an entry back. The journal's cursors of a host that ran on PostgreSQL
 * before ({@code host_journal_cursors}, left as they were at the switch) would otherwise have held
 * every entry since back, for good.
 */
public final class JournalRetention implements AutoCloseable {

  /**
   * What a run did.
   *
   * @param deleted      entries deleted
   * @param keptUnconsumed whether entries past the retention were kept for an installed plugin
   *                     that has not consumed them
   * @param idsForgotten ids deleted from {@code host_event_ids}
   */
  public record Outcome(long deleted, boolean keptUnconsumed, long idsForgotten) {
    Outcome withIdsForgotten(long forgotten) {
      return new Outcome(deleted, keptUnconsumed, forgotten);
    }
  }

  private static final Logger log = LoggerFactory.getLogger(JournalRetention.class);
  private static final long RETENTION_LOCK = EventJournal.APPEND_LOCK + 1;

  /** The most positions (so entries) one delete covers: a short transaction each. */
  private static final int SEQS_PER_DELETE = 10_000;

  private static final int IDS_PER_DELETE = 10_000;

  // A position read here may be a move not yet flushed (JournalCursors#advance): a delete it
  // allows commits with a flush, which writes the WAL up to and past that move, so a crash never
  // keeps the delete and loses the move.
  private static final String LOWEST_INSTALLED_POSITION =
      """
      SELECT min(c.position) FROM host_journal_cursors c JOIN host_plugins p USING (plugin_id)
      WHERE p.installed
      """;

  // The block-range index on journaled_at lets this read the old part of the journal alone (OFFSET
  // 0 keeps max(seq) from walking the primary key backwards through all the newer entries).
  private static final String OLD_SEQS =
      """
      SELECT min(seq), max(seq)
      FROM (SELECT seq FROM host_journal WHERE journaled_at < ? OFFSET 0) old
      """;

  private static final RangeIndex JOURNAL_AGE =
      new RangeIndex("host_journal", "host_journal_age", "journaled_at < '-infinity'");

  private static final String DELETE_RANGE =
      """
      DELETE FROM host_journal WHERE seq >= ? AND seq < ? AND seq <= ? AND journaled_at < ?
      """;

  private static final String FORGET_IDS =
      """
      DELETE FROM host_event_ids WHERE event_id IN (
        SELECT event_id FROM host_event_ids WHERE journaled_at < ? LIMIT %d)
      """
          .formatted(IDS_PER_DELETE);

  private final DataSource dataSource;
  private final Clock clock;
  private final Duration retention;
  private final JournalKind kind;
  private ScheduledExecutorService scheduler;

  /**
   * @param retention how long entries are kept at least (the maximum event age)
   * @param kind      the journal the host runs: on PostgreSQL the plugins' cursors hold entries
   *     back, on Kafka nothing does
   */
  public JournalRetention(
      DataSource dataSource, Clock clock, Duration retention, JournalKind kind) {
    this.dataSource = dataSource;
    this.clock = clock;
    this.retention = retention;
    this.kind = kind;
  }

  /**
   * Runs now, then every hour, on a thread of its own: a start waits for none of it (a pass may
   * rebuild the journal's BRIN index first, which takes a while on a long journal).
   */
  public void start() {
    scheduler = Daemons.scheduler("journal-retention");
    scheduler.scheduleWithFixedDelay(this::runLogged, 0, 1, TimeUnit.HOURS);
  }

  private void runLogged() {
    try {
      runOnce();
    } catch (RuntimeException e) {
      log.warn("Journal retention failed; it runs again in an hour: {}", e.toString());
    }
  }

  /**
   * One pass; skipped (nothing done) while another node runs one.
   *
   * @throws Sql.DatabaseException when the database fails; what was done is kept
   */
  public Outcome runOnce() {
    try (Connection connection = dataSource.getConnection()) {
      if (!tryLock(connection)) {
        return new Outcome(0, false, 0);
      }
      try {
        // as long as a redelivery could be accepted: the retention (the maximum event age) and a
        // day for the platform's clock
        Timestamp before =
            Timestamp.from(clock.instant().minus(retention).minus(Duration.ofDays(1)));
        Outcome outcome =
            deleteConsumedBefore(connection, before, kind)
                .withIdsForgotten(forgetIds(connection, before));
        if (outcome.deleted() > 0 || outcome.keptUnconsumed() || outcome.idsForgotten() > 0) {
          log.info("Journal retention: {}", outcome);
        }
        return outcome;
      } finally {
        try (Statement unlock = connection.createStatement()) {
          unlock.execute("SELECT pg_advisory_unlock(" + RETENTION_LOCK + ")");
        }
      }
    } catch (SQLException e) {
      throw Sql.failure("deleting the journal's old entries", e);
    }
  }

  private static boolean tryLock(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery("SELECT pg_try_advisory_lock(" + RETENTION_LOCK + ")")) {
      rows.next();
      return rows.getBoolean(1);
    }
  }

  /**
   * Deletes the entries journaled before {@code before} that every installed plugin consumed (on
   * Kafka, all of them).
   */
  private static Outcome deleteConsumedBefore(
      Connection connection, Timestamp before, JournalKind kind) throws SQLException {
    checkJournalAge(connection);
    long first;
    long last;
    try (PreparedStatement statement = Sql.prepare(connection, OLD_SEQS, before);
        ResultSet rows = statement.executeQuery()) {
      rows.next();
      first = rows.getLong(1);
      if (rows.wasNull()) {
        return new Outcome(0, false, 0);
      }
      last = rows.getLong(2);
    }
    Long lowest = kind == JournalKind.POSTGRES ? lowestInstalledPosition(connection) : null;
    long through = lowest == null ? last : Math.min(last, lowest);
    long deleted = 0;
    for (long from = first; from <= through; from += SEQS_PER_DELETE) {
      try (PreparedStatement statement =
          Sql.prepare(connection, DELETE_RANGE, from, from + SEQS_PER_DELETE, through, before)) {
        deleted += statement.executeUpdate();
      }
    }
    return new Outcome(deleted, through < last, 0);
  }

  /**
   * Ranges autovacuum has not summarized, or a placeholder a stopped summarization left, would
   * have the read of the old entries go through the journal from there on: checked and mended
   * first ({@link RangeIndex}); a check that fails leaves the delete to go on without it.
   */
  private static void checkJournalAge(Connection connection) {
    try {
      RangeIndex.Check check = JOURNAL_AGE.check(connection);
      if (check.mended()) {
        log.warn("Journal retention: {}", check.summary());
      }
    } catch (SQLException | RuntimeException e) {
      log.warn(
          "Journal retention: checking host_journal_age failed, deleting anyway: {}", e.toString());
    }
  }

  private static Long lowestInstalledPosition(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(LOWEST_INSTALLED_POSITION)) {
      rows.next();
      long lowest = rows.getLong(1);
      return rows.wasNull() ? null : lowest;
    }
  }

  /** The ids the journal on Kafka claimed before {@code before}. */
  private static long forgetIds(Connection connection, Timestamp before) throws SQLException {
    long forgotten = 0;
    int deleted;
    do {
      try (PreparedStatement statement = Sql.prepare(connection, FORGET_IDS, before)) {
        deleted = statement.executeUpdate();
      }
      forgotten += deleted;
    } while (deleted == IDS_PER_DELETE);
    return forgotten;
  }

  @Override
  public void close() {
    if (scheduler != null) {
      scheduler.shutdownNow();
    }
  }
}
