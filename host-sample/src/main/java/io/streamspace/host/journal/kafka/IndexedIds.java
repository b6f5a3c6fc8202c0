package io.streamspace.host.journal.kafka;

import io.streamspace.common.db.Sql;
import io.streamspace.host.journal.JournalEntry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Intake's look-up, on Kafka, of a batch's ids among those the journal's index has taken (its
 * entries in {@code host_journal}, by their unique id): one read-only statement per batch, no
 * transaction, nothing written. A taken id answers its body, compared here: one form per event
 * ({@link JournalEntry#body}), so the same body is a redelivery and another a conflict. Rare, so
 * nothing of a new event is hashed or sent but its id.
 */
final class IndexedIds {

  // The ids of the batch the journal's index has taken, with the bodies taken under them.
  private static final String LOOK_UP =
      """
      SELECT u.n, j.body
      FROM unnest(?::text[]) WITH ORDINALITY AS u(event_id, n)
      JOIN host_journal j USING (event_id)
      """;

  private final DataSource dataSource;

  IndexedIds(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /**
   * Which of these entries (of distinct ids) the index has taken: by index in {@code entries},
   * whether under the same body (a redelivery) or not (a conflict); absent for the others.
   *
   * @throws Sql.DatabaseException when the database could not be read
   */
  Map<Integer, Boolean> taken(List<JournalEntry> entries) {
    String[] ids = new String[entries.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = entries.get(i).eventId();
    }
    Map<Integer, Boolean> taken = new HashMap<>();
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement =
            Sql.prepare(connection, LOOK_UP, connection.createArrayOf("text", ids));
        ResultSet rows = statement.executeQuery()) {
      while (rows.next()) {
        int n = rows.getInt(1) - 1;
        taken.put(n, entries.get(n).body().equals(rows.getString(2)));
      }
    } catch (SQLException e) {
      throw Sql.failure("looking the event ids of a batch up for the Kafka journal", e);
    }
    return taken;
  }
}
