package io.streamspace.host.journal;

import io.streamspace.common.db.Sql;
import io.streamspace.host.plugins.JournalLag;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import javax.sql.DataSource;

/**
 * Each plugin's place in the journal and who consumes it ({@code host_journal_cursors}). A node
 * consumes a plugin's journal while it holds the plugin's lease; it renews the lease as it goes,
 * and a lease its node stopped renewing (the node died) expires, so another node takes over.
 * Leases are timed by the database's clock, the one clock all nodes share.
 */
final class JournalCursors {

  /** Counting further would cost more than the figure is worth. */
  static final long COUNTED_LAG = 1_000_000;

  // A plugin seen for the first time starts from now: after the entries journaled so far.
  private static final String ACQUIRE =
      """
      INSERT INTO host_journal_cursors AS c (plugin_id, position, holder, lease_until, updated_at)
      VALUES (?, (SELECT coalesce(max(seq), 0) FROM host_journal), ?,
              clock_timestamp() + ? * interval '1 millisecond', clock_timestamp())
      ON CONFLICT (plugin_id) DO UPDATE SET
        holder = excluded.holder, lease_until = excluded.lease_until
      WHERE c.holder IS NULL OR c.holder = excluded.holder OR c.lease_until < clock_timestamp()
      RETURNING position
      """;

  // Fenced: only the holder moves the cursor, and never backwards. Committed without waiting for
  // the WAL's flush (set_config's true: for this statement's transaction only): a move the
  // database loses in a crash only hands the entries after the last position kept again, which
  // every plugin takes (delivery is at least once), and the lease it renewed is taken again or
  // runs out. A plugin's round ends with it and intake's answer waits for the round: one flush
  // fewer on the path of every batch. Never run inside a transaction of other writes: they would
  // commit unflushed too.
  private static final String ADVANCE =
      """
      WITH unflushed AS (SELECT set_config('synchronous_commit', 'off', true))
      UPDATE host_journal_cursors
      SET position = greatest(position, ?),
          lease_until = clock_timestamp() + ? * interval '1 millisecond',
          updated_at = clock_timestamp()
      FROM unflushed
      WHERE plugin_id = ? AND holder = ? AND lease_until >= clock_timestamp()
      """;

  // A plugin never started gets a cursor here, so that its first start hands it these entries.
  // The entries since an instant are found by the block-range index on journaled_at (OFFSET 0
  // keeps min(seq) from walking the primary key through every older entry first).
  private static final String REWIND =
      """
      INSERT INTO host_journal_cursors (plugin_id, position, updated_at)
      VALUES (?, coalesce((SELECT min(seq) - 1
                           FROM (SELECT seq FROM host_journal WHERE journaled_at >= ? OFFSET 0) s),
                          (SELECT coalesce(max(seq), 0) FROM host_journal)),
              clock_timestamp())
      ON CONFLICT (plugin_id) DO UPDATE SET
        position = excluded.position, updated_at = excluded.updated_at
      RETURNING position
      """;

  private static final String LAG =
      """
      SELECT c.plugin_id,
             CASE WHEN c.lease_until >= clock_timestamp() THEN c.holder END AS holder,
             (SELECT count(*) FROM (SELECT 1 FROM host_journal j WHERE j.seq > c.position
                                    LIMIT %d) n) AS events,
             (SELECT j.journaled_at FROM host_journal j WHERE j.seq > c.position
              ORDER BY j.seq LIMIT 1) AS oldest
      FROM host_journal_cursors c
      WHERE c.plugin_id = ANY (?)
      """
          .formatted(COUNTED_LAG);

  private final DataSource dataSource;

  JournalCursors(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /**
   * Takes (or keeps) the plugin's lease for {@code node}.
   *
   * @return the plugin's position, or empty when another node holds an unexpired lease
   */
  OptionalLong acquire(String pluginId, String node, Duration lease) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement =
            Sql.prepare(connection, ACQUIRE, pluginId, node, lease.toMillis());
        ResultSet rows = statement.executeQuery()) {
      return rows.next() ? OptionalLong.of(rows.getLong(1)) : OptionalLong.empty();
    } catch (SQLException e) {
      throw Sql.failure("taking the journal lease of plugin " + pluginId, e);
    }
  }

  /**
   * Moves the plugin's position to {@code seq} and renews the lease (with its own position, a
   * renewal alone).
   *
   * @return false when {@code node} no longer holds the lease: another node consumes now
   */
  boolean advance(String pluginId, String node, long seq, Duration lease) {
    return update(ADVANCE, seq, lease.toMillis(), pluginId, node) == 1;
  }

  /** Gives the lease up, so another node may take over at once. */
  void release(String pluginId, String node) {
    update(
        "UPDATE host_journal_cursors SET holder = NULL, lease_until = NULL"
            + " WHERE plugin_id = ? AND holder = ?",
        pluginId,
        node);
  }

  /**
   * Sets the plugin's position to just before the first entry journaled at or after {@code
   * from} (or to the end, when there is none), so that it is handed everything since.
   *
   * @return the new position
   */
  long rewind(String pluginId, Instant from) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement =
            Sql.prepare(connection, REWIND, pluginId, Timestamp.from(from));
        ResultSet rows = statement.executeQuery()) {
      rows.next();
      return rows.getLong(1);
    } catch (SQLException e) {
      throw Sql.failure("rewinding the journal cursor of plugin " + pluginId, e);
    }
  }

  /** The lag of each plugin that has a cursor, at the database's current time. */
  Map<String, JournalLag> lag(List<String> pluginIds, Instant now) {
    Map<String, JournalLag> lag = new LinkedHashMap<>();
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement =
            Sql.prepare(connection, LAG, connection.createArrayOf("text", pluginIds.toArray()));
        ResultSet rows = statement.executeQuery()) {
      while (rows.next()) {
        Instant oldest = Sql.instant(rows.getTimestamp("oldest"));
        long seconds = oldest == null ? 0 : Math.max(0, Duration.between(oldest, now).toSeconds());
        lag.put(
            rows.getString("plugin_id"),
            new JournalLag(rows.getLong("events"), seconds, rows.getString("holder"), List.of()));
      }
    } catch (SQLException e) {
      throw Sql.failure("reading the journal lag", e);
    }
    return lag;
  }

  private int update(String sql, Object... params) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = Sql.prepare(connection, sql, params)) {
      return statement.executeUpdate();
    } catch (SQLException e) {
      throw Sql.failure("moving a journal cursor", e);
    }
  }
}
