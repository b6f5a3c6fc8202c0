package io.streamspace.host.journal;

import io.streamspace.common.db.Sql;
import io.streamspace.common.http.ApiException;
import io.streamspace.plugin.api.http.HttpStatus;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * Intake's back-pressure: while an enabled plugin is more than the allowed number of entries
 * behind the journal, intake refuses batches with 503 and {@code Retry-After} rather than let the
 * backlog grow without bound. A disabled plugin's backlog does not count: it catches up when it
 * is enabled again. Looked up at most once a second, whatever the request rate. How far behind
 * a plugin is, and how far it may be, depends on the journal: entries in the PostgreSQL journal;
 * in the Kafka journal, the records it has not consumed that were journaled before a bound of
 * time, none allowed ({@link FurthestBehind}).
 */
public final class JournalBacklog {

  private static final Duration RECHECK = Duration.ofSeconds(1);

  // the sequence's last number drawn (0 before the first), less each enabled plugin's position
  private static final String FURTHEST_BEHIND =
      """
      SELECT c.plugin_id,
             (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM host_journal_seq)
               - c.position AS behind
      FROM host_journal_cursors c JOIN host_plugins p USING (plugin_id)
      WHERE p.installed AND p.enabled
      ORDER BY behind DESC LIMIT 1
      """;

  /** The enabled plugin furthest behind the journal, and by how many entries. */
  public record Furthest(String pluginId, long behind) {

    /** What is said when no enabled plugin is behind. */
    public static final Furthest NONE = new Furthest(null, 0);
  }

  /** Finds the enabled plugin furthest behind, as the journal in use counts it. */
  @FunctionalInterface
  public interface FurthestBehind {
    Furthest lookUp();
  }

  private final FurthestBehind lookup;
  private final long maxLag;
  private final String limit;
  private long checkedAt;
  private Furthest furthest;

  /**
   * The PostgreSQL journal's back-pressure, read from the plugins' cursors.
   *
   * @param maxLag how many entries an enabled plugin may be behind before intake pushes back
   */
  public JournalBacklog(DataSource dataSource, long maxLag) {
    this(() -> furthestBehindOfCursors(dataSource), maxLag);
  }

  /**
   * Back-pressure as {@code lookup} counts how far behind the enabled plugins are (the Kafka
   * journal counts records per partition).
   *
   * @param maxLag how many entries an enabled plugin may be behind before intake pushes back
   */
  public JournalBacklog(FurthestBehind lookup, long maxLag) {
    this(lookup, maxLag, "at most " + maxLag + " allowed");
  }

  /**
   * Back-pressure as {@code lookup} counts, past {@code maxLag}, the limit said as {@code limit}
   * in the refusal (the Kafka journal counts records older than a bound of time, none allowed).
   */
  public JournalBacklog(FurthestBehind lookup, long maxLag, String limit) {
    this.lookup = lookup;
    this.maxLag = maxLag;
    this.limit = limit;
  }

  /**
   * @throws ApiException 503 {@code journal_backlog} when a plugin is too far behind
   */
  public void refuseWhenTooFarBehind() {
    Furthest behind = furthest();
    if (behind != null && behind.behind() > maxLag) {
      throw new ApiException(
          HttpStatus.SERVICE_UNAVAILABLE,
          "journal_backlog",
          "plugin "
              + behind.pluginId()
              + " is "
              + behind.behind()
              + " events behind the journal ("
              + limit
              + "); retry later");
    }
  }

  private synchronized Furthest furthest() {
    if (furthest == null || System.nanoTime() - checkedAt > RECHECK.toNanos()) {
      furthest = lookup.lookUp();
      checkedAt = System.nanoTime();
    }
    return furthest;
  }

  private static Furthest furthestBehindOfCursors(DataSource dataSource) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = connection.prepareStatement(FURTHEST_BEHIND);
        ResultSet rows = statement.executeQuery()) {
      return rows.next() ? new Furthest(rows.getString(1), rows.getLong(2)) : Furthest.NONE;
    } catch (SQLException e) {
      throw Sql.failure("reading how far behind the journal plugins are", e);
    }
  }
}
