package io.streamspace.host.journal;

import io.streamspace.common.db.Sql;
import io.streamspace.common.db.Transactions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The journal a database is used with ({@code host_journal_kind}), so that the nodes on one
 * database all run the same one: a node on the PostgreSQL journal and another on Kafka would each
 * journal and hand the plugins only the events they accepted themselves. The first node to start
 * records its journal; a node started with another is refused, naming both, unless it is started
 * to switch ({@code --switch-journal}): then the database is recorded with the new journal, and
 * each plugin goes on from the end of it (what the old journal held and a plugin had not consumed
 * is not carried over, hence the stop with every plugin caught up the operator guide asks for).
 */
public final class JournalKindRecord {

  private static final Logger log = LoggerFactory.getLogger(JournalKindRecord.class);

  /** A node started with another journal than the database is used with. */
  public static final class Mismatch extends RuntimeException {
    Mismatch(String message) {
      super(message, null, false, false);
    }
  }

  private static final String RECORD_FIRST =
      "INSERT INTO host_journal_kind (kind, recorded_at) VALUES (?, ?) ON CONFLICT DO NOTHING";

  private static final String RECORDED = "SELECT kind FROM host_journal_kind FOR UPDATE";

  private static final String SWITCH = "UPDATE host_journal_kind SET kind = ?, recorded_at = ?";

  // On the PostgreSQL journal again: each plugin goes on after what the journal holds now (what
  // the Kafka journal's index wrote into it was consumed on Kafka).
  private static final String POSTGRES_PLACES_AT_THE_END =
      """
      UPDATE host_journal_cursors
      SET position = (SELECT coalesce(max(seq), 0) FROM host_journal), updated_at = ?
      """;

  // On Kafka again: a plugin's places of an earlier time on Kafka are forgotten, so that it starts
  // from the end of the topic, as a plugin seen first does (the index keeps its own).
  private static final String KAFKA_PLACES_FORGOTTEN =
      "DELETE FROM host_kafka_offsets WHERE consumer <> '#index'";

  private JournalKindRecord() {}

  /**
   * Records {@code running} as the database's journal when none is recorded, switches to it when
   * {@code switching}, and otherwise checks it is the one recorded.
   *
   * @throws Mismatch when the database is used with another journal and this is no switch
   */
  public static void settle(
      DataSource dataSource, JournalKind running, boolean switching, Clock clock) {
    Timestamp now = Timestamp.from(clock.instant());
    try {
      Transactions.<Void, RuntimeException>inTransaction(
          dataSource,
          connection -> {
            execute(connection, RECORD_FIRST, running.text(), now);
            JournalKind recorded = recorded(connection);
            if (recorded == running) {
              return null;
            }
            if (!switching) {
              throw new Mismatch(mismatch(recorded, running));
            }
            execute(connection, SWITCH, running.text(), now);
            if (running == JournalKind.POSTGRES) {
              execute(connection, POSTGRES_PLACES_AT_THE_END, now);
            } else {
              // Kafka's intake tells a redelivery by host_journal's ids, as this journal does
              execute(connection, KAFKA_PLACES_FORGOTTEN);
            }
            log.warn(
                "This database's journal switched from {} to {} (--switch-journal): each plugin"
                    + " goes on from the end of the {} journal",
                recorded.text(),
                running.text(),
                running.text());
            return null;
          });
    } catch (SQLException e) {
      throw Sql.failure("checking the journal this database is used with", e);
    }
  }

  static String mismatch(JournalKind recorded, JournalKind running) {
    return ("This database is used with the %1$s journal, and this node was started with"
            + " --journal %2$s: every node on one database must run the same journal. Start it"
            + " with --journal %1$s, or, to move the database to the %2$s journal on purpose, stop"
            + " every node once each plugin's journal lag is 0 and start one node with --journal"
            + " %2$s --switch-journal (docs/operator-guide.md, \"Switching the journal\").")
        .formatted(recorded.text(), running.text());
  }

  private static JournalKind recorded(Connection connection) throws SQLException {
    try (PreparedStatement statement = Sql.prepare(connection, RECORDED);
        ResultSet rows = statement.executeQuery()) {
      rows.next();
      return JournalKind.of(rows.getString(1));
    }
  }

  private static void execute(Connection connection, String sql, Object... params)
      throws SQLException {
    try (PreparedStatement statement = Sql.prepare(connection, sql, params)) {
      statement.executeUpdate();
    }
  }
}
