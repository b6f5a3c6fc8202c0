package io.streamspace.host.deadletters;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamspace.common.db.Sql;
import io.streamspace.common.http.Page;
import io.streamspace.plugin.api.event.DeadLetters;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/** Events plugins could never store, in {@code host_dead_letters}, until an admin replays them. */
public final class DeadLetterStore {

  /** Reasons are database messages; longer ones are cut, they only need to name the problem. */
  private static final int MAX_REASON_LENGTH = 2_000;

  /** The columns {@link #query} reads, in its order. */
  private static final String COLUMNS =
      """
      id, plugin_id, event_id, event_type, event, reason, failures, first_failed_at,
      last_failed_at, replay_status, replayed_at, journal_id""";

  // Set aside again (a redelivery, or a replay the plugin refused): the latest event and reason;
  // a replayed one is pending again. The journal's entry of the event, when it has one (events
  // are journaled before plugins see them; the id is kept for the journal's retention).
  private static final String RECORD =
      """
      INSERT INTO host_dead_letters AS d
        (plugin_id, event_id, event_type, event, reason, first_failed_at, last_failed_at,
         journal_id)
      VALUES (?, ?, ?, ?, ?, ?, ?, (SELECT seq FROM host_journal WHERE event_id = ?))
      ON CONFLICT (plugin_id, event_id) DO UPDATE SET
        event_type = excluded.event_type, event = excluded.event, reason = excluded.reason,
        failures = d.failures + 1, last_failed_at = excluded.last_failed_at,
        replay_status = CASE WHEN d.replay_status = 'replayed' THEN 'pending'
                             ELSE d.replay_status END,
        replayed_at = NULL
      RETURNING id
      """;

  private static final String PAGE =
      "SELECT %s FROM host_dead_letters ORDER BY id DESC LIMIT ? OFFSET ?".formatted(COLUMNS);

  private static final String FIND =
      "SELECT %s FROM host_dead_letters WHERE id = ?".formatted(COLUMNS);

  private static final String MARK_REPLAYED =
      "UPDATE host_dead_letters SET replay_status = 'replayed', replayed_at = ? WHERE id = ?";

  private static final String MARK_REPLAY_FAILED =
      "UPDATE host_dead_letters SET replay_status = 'replay_failed' WHERE id = ?";

  private final DataSource dataSource;
  private final Clock clock;
  private final ObjectMapper mapper;

  public DeadLetterStore(DataSource dataSource, Clock clock, ObjectMapper mapper) {
    this.dataSource = dataSource;
    this.clock = clock;
    this.mapper = mapper;
  }

  /** Where the plugin sets aside the events it can never store. */
  public DeadLetters forPlugin(String pluginId) {
    return new PluginDeadLetters(pluginId, this);
  }

  /**
   * Keeps an event durably (one committed statement) and answers its dead letter's id.
   *
   * @param event the event in the platform's format
   */
  long record(String pluginId, String eventId, String eventType, JsonNode event, String reason) {
    Timestamp now = Timestamp.from(clock.instant());
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = connection.prepareStatement(RECORD)) {
      statement.setString(1, pluginId);
      statement.setString(2, eventId);
      statement.setString(3, eventType);
      statement.setString(4, mapper.writeValueAsString(event));
      statement.setString(5, storable(reason));
      statement.setTimestamp(6, now);
      statement.setTimestamp(7, now);
      statement.setString(8, eventId);
      try (ResultSet rows = statement.executeQuery()) {
        rows.next();
        return rows.getLong(1);
      }
    } catch (SQLException e) {
      throw Sql.failure("keeping a dead letter of plugin " + pluginId, e);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("an event tree is always JSON", e);
    }
  }

  /** Newest first (the most recently set aside first). */
  public List<DeadLetter> list(Page page) {
    return query(PAGE, page.fetch(), page.offset());
  }

  public Optional<DeadLetter> find(long id) {
    return query(FIND, id).stream().findFirst();
  }

  /** The plugin stored the event at last. */
  public void markReplayed(long id) {
    update(MARK_REPLAYED, Timestamp.from(clock.instant()), id);
  }

  /** The plugin set the event aside again on replay (its new reason is recorded already). */
  public void markReplayFailed(long id) {
    update(MARK_REPLAY_FAILED, id);
  }

  private static String storable(String reason) {
    String text =
        reason == null || reason.isBlank() ? "(no reason given)" : reason.replace('\0', '?');
    return text.length() <= MAX_REASON_LENGTH ? text : text.substring(0, MAX_REASON_LENGTH) + "...";
  }

  private void update(String sql, Object... params) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = Sql.prepare(connection, sql, params)) {
      statement.executeUpdate();
    } catch (SQLException e) {
      throw Sql.failure("updating a dead letter", e);
    }
  }

  private List<DeadLetter> query(String sql, Object... params) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = Sql.prepare(connection, sql, params);
        ResultSet rows = statement.executeQuery()) {
      List<DeadLetter> letters = new ArrayList<>();
      while (rows.next()) {
        letters.add(
            new DeadLetter(
                rows.getLong(1),
                rows.getString(2),
                rows.getString(3),
                rows.getString(4),
                mapper.readTree(rows.getString(5)),
                rows.getString(6),
                rows.getInt(7),
                Sql.instant(rows.getTimestamp(8)),
                Sql.instant(rows.getTimestamp(9)),
                rows.getString(10),
                Sql.instant(rows.getTimestamp(11)),
                (Long) rows.getObject(12)));
      }
      return letters;
    } catch (SQLException e) {
      throw Sql.failure("reading dead letters", e);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(
          "host_dead_letters.event holds JSON written by this class", e);
    }
  }
}
