package io.streamspace.host.journal.kafka;

import io.streamspace.common.db.Sql;
import io.streamspace.host.journal.JournalEntry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Intake's look-up, on Kafka, of a batch's ids among those the journal's index has taken ({@code
 * host_event_ids}): one read-only statement per batch, no transaction, nothing written.
 */
final class IndexedIds {

  // The ids of the batch the journal's index has taken, and whether under the same body.
  private static final String LOOK_UP =
      """
      SELECT u.n, k.body_sha256 = decode(u.sha_hex, 'hex')
      FROM unnest(?::text[], ?::text[]) WITH ORDINALITY AS u(event_id, sha_hex, n)
      JOIN host_event_ids k USING (event_id)
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
    String[] shas = new String[entries.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = entries.get(i).eventId();
      shas[i] = HexFormat.of().formatHex(entries.get(i).bodySha256());
    }
    Map<Integer, Boolean> taken = new HashMap<>();
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement =
            Sql.prepare(
                connection,
                LOOK_UP,
                connection.createArrayOf("text", ids),
                connection.createArrayOf("text", shas));
        ResultSet rows = statement.executeQuery()) {
      while (rows.next()) {
        taken.put(rows.getInt(1) - 1, rows.getBoolean(2));
      }
    } catch (SQLException e) {
      throw Sql.failure("looking the event ids of a batch up for the Kafka journal", e);
    }
    return taken;
  }
}
