package io.streamspace.host.journal;

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
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the journal's days: creates each day's partition ahead of time and, once a day is older
 * than the retention, drops its partition whole, but only when every installed plugin has
 * consumed it (a disabled plugin's backlog is kept until it catches up). Ids are forgotten a day
 * after their entries may go, so a redelivery is recognized for as long as it can be accepted. One
 * node at a time does this, every hour.
 */
public final class JournalRetention implements AutoCloseable {

  /**
   * What a run did.
   *
   * @param created  partitions created
   * @param dropped  partitions dropped
   * @param kept     partitions past the retention kept for a plugin that has not consumed them
   * @param idsForgotten ids deleted
   */
  public record Outcome(int created, int dropped, int kept, long idsForgotten) {}

  private static final Logger log = LoggerFactory.getLogger(JournalRetention.class);
  private static final long RETENTION_LOCK = EventJournal.APPEND_LOCK + 1;
  private static final int DAYS_AHEAD = 3;
  private static final int IDS_PER_DELETE = 10_000;
  private static final DateTimeFormatter DAY = DateTimeFormatter.BASIC_ISO_DATE;
  private static final String PARTITION_PREFIX = "host_journal_";

  // The partitions of days, named host_journal_yyyymmdd (not the default partition).
  private static final String DAY_PARTITIONS =
      """
      SELECT c.relname FROM pg_inherits i
      JOIN pg_class c ON c.oid = i.inhrelid
      JOIN pg_class p ON p.oid = i.inhparent
      WHERE p.relname = 'host_journal' AND c.relname ~ '^host_journal_[0-9]{8}$'
      ORDER BY c.relname
      """;

  private static final String LOWEST_INSTALLED_POSITION =
      """
      SELECT min(c.position) FROM host_journal_cursors c JOIN host_plugins p USING (plugin_id)
      WHERE p.installed
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
  private ScheduledExecutorService scheduler;

  /** @param retention how long entries are kept at least (the maximum event age) */
  public JournalRetention(DataSource dataSource, Clock clock, Duration retention) {
    this.dataSource = dataSource;
    this.clock = clock;
    this.retention = retention;
  }

  /** Runs now (so today's partition exists before intake opens), then every hour. */
  public void start() {
    runOnce();
    scheduler = Daemons.scheduler("journal-retention");
    scheduler.scheduleWithFixedDelay(this::runLogged, 1, 1, TimeUnit.HOURS);
  }

  private void runLogged() {
    try {
      runOnce();
    } catch (RuntimeException e) {
      log.warn("Journal retention failed; it runs again in an hour: {}", e.toString());
    }
  }

  /**
   * One pass; skipped (all zero) while another node runs one.
   *
   * @throws Sql.DatabaseException when the database fails; what was done is kept
   */
  public Outcome runOnce() {
    try (Connection connection = dataSource.getConnection()) {
      if (!tryLock(connection)) {
        return new Outcome(0, 0, 0, 0);
      }
      try {
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        int created = createAhead(connection, today);
        LocalDate firstKept = LocalDate.ofInstant(clock.instant().minus(retention), ZoneOffset.UTC);
        int[] droppedKept = dropConsumedBefore(connection, firstKept);
        long forgotten = forgetIds(connection, Timestamp.from(clock.instant().minus(retention)));
        Outcome outcome = new Outcome(created, droppedKept[0], droppedKept[1], forgotten);
        if (outcome.dropped() + outcome.kept() > 0 || forgotten > 0) {
          log.info("Journal retention: {}", outcome);
        }
        return outcome;
      } finally {
        try (Statement unlock = connection.createStatement()) {
          unlock.execute("SELECT pg_advisory_unlock(" + RETENTION_LOCK + ")");
        }
      }
    } catch (SQLException e) {
      throw Sql.failure("keeping the journal's partitions", e);
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

  private static int createAhead(Connection connection, LocalDate today) throws SQLException {
    List<String> existing = dayPartitions(connection);
    int created = 0;
    for (int ahead = 0; ahead <= DAYS_AHEAD; ahead++) {
      LocalDate day = today.plusDays(ahead);
      String name = PARTITION_PREFIX + DAY.format(day);
      if (existing.contains(name)) {
        continue;
      }
      try (Statement statement = connection.createStatement()) {
        statement.execute(
            "CREATE TABLE %s PARTITION OF host_journal FOR VALUES FROM ('%s') TO ('%s')"
                .formatted(name, day, day.plusDays(1)));
        created++;
      } catch (SQLException e) {
        // entries of that day already in the default partition (a clock set back and forth):
        // they stay there, and the day with them
        log.warn("Journal partition {} not created: {}", name, e.getMessage());
      }
    }
    return created;
  }

  /** Drops day partitions before {@code firstKept} that every installed plugin consumed. */
  private static int[] dropConsumedBefore(Connection connection, LocalDate firstKept)
      throws SQLException {
    Long lowest = lowestInstalledPosition(connection);
    int dropped = 0;
    int kept = 0;
    for (String name : dayPartitions(connection)) {
      LocalDate day = LocalDate.parse(name.substring(PARTITION_PREFIX.length()), DAY);
      if (!day.isBefore(firstKept)) {
        continue;
      }
      if (lowest != null && unconsumed(connection, name, lowest)) {
        kept++;
        continue;
      }
      try (Statement statement = connection.createStatement()) {
        statement.execute("DROP TABLE " + name);
      }
      dropped++;
    }
    return new int[] {dropped, kept};
  }

  private static boolean unconsumed(Connection connection, String partition, long lowest)
      throws SQLException {
    String sql = "SELECT EXISTS (SELECT 1 FROM %s WHERE seq > ?)".formatted(partition);
    try (PreparedStatement statement = Sql.prepare(connection, sql, lowest);
        ResultSet found = statement.executeQuery()) {
      found.next();
      return found.getBoolean(1);
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

  private static List<String> dayPartitions(Connection connection) throws SQLException {
    List<String> names = new ArrayList<>();
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(DAY_PARTITIONS)) {
      while (rows.next()) {
        names.add(rows.getString(1));
      }
    }
    return names;
  }

  /** Ids journaled a day before the retention's start: no redelivery of theirs is accepted. */
  private long forgetIds(Connection connection, Timestamp retentionStart) throws SQLException {
    Timestamp before = Timestamp.from(retentionStart.toInstant().minus(Duration.ofDays(1)));
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
