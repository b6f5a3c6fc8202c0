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
import java.time.Instant;
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
  // are journaled before plugins see them; the id is kept for the journal's retention). Set-based,
  // so that the journal sets a round's events aside in one statement; one id at most once.
  private static final String RECORD =
      """
      INSERT INTO host_dead_letters AS d
        (plugin_id, event_id, event_type, event, reason, first_failed_at, last_failed_at,
         journal_id)
      SELECT ?, u.event_id, u.event_type, u.event, u.reason, ?, ?,
             COALESCE((SELECT seq FROM host_journal j WHERE j.event_id = u.event_id),
                      (SELECT seq FROM host_event_ids k WHERE k.event_id = u.event_id))
      FROM unnest(?::text[], ?::text[], ?::text[], ?::text[])
        AS u(event_id, event_type, event, reason)
      ON CONFLICT (plugin_id, event_id) DO UPDATE SET
        event_type = excluded.event_type, event = excluded.event, reason = excluded.reason,
        failures = d.failures + 1, last_failed_at = excluded.last_failed_at,
        replay_status = CASE WHEN d.replay_status = 'replayed' THEN 'pending'
                             ELSE d.replay_status END,
        replayed_at = NULL
      RETURNING id
      """;

  /**
   * Whom the events the host's journal sets aside itself are kept for, in place of a plugin's
   * id: on Kafka, an event whose id its index found taken by another body ({@link #setAside}).
   * Not a plugin, so never replayed: the "#" sets it apart from plugin ids.
   */
  public static final String JOURNAL = "#journal";

  /** An event set aside, in the platform's format (JSON text), with why. */
  public record SetAside(String eventId, String eventType, String event, String reason) {}

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
    Instant now = clock.instant();
    try (Connection connection = dataSource.getConnection()) {
      SetAside kept = new SetAside(eventId, eventType, mapper.writeValueAsString(event), reason);
      return insert(connection, pluginId, List.of(kept), now).get(0);
    } catch (SQLException e) {
      throw Sql.failure("keeping a dead letter of plugin " + pluginId, e);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("an event tree is always JSON", e);
    }
  }

  /**
   * Keeps events the journal set aside ({@link #JOURNAL}), in the caller's transaction: one
   * statement, each id at most once.
   */
  public static void setAside(Connection connection, List<SetAside> events, Instant now)
      throws SQLException {
    if (!events.isEmpty()) {
      insert(connection, JOURNAL, events, now);
    }
  }

  private static List<Long> insert(
      Connection connection, String by, List<SetAside> events, Instant now) throws SQLException {
    int n = events.size();
    String[][] columns = new String[4][n];
    for (int i = 0; i < n; i++) {
      SetAside kept = events.get(i);
      columns[0][i] = kept.eventId();
      columns[1][i] = kept.eventType();
      columns[2][i] = kept.event();
      columns[3][i] = storable(kept.reason());
    }
    List<Long> ids = new ArrayList<>(n);
    try (PreparedStatement statement =
            Sql.prepare(
                connection,
                RECORD,
                by,
                Timestamp.from(now),
                Timestamp.from(now),
                connection.createArrayOf("text", columns[0]),
                connection.createArrayOf("text", columns[1]),
                connection.createArrayOf("text", columns[2]),
                connection.createArrayOf("text", columns[3]));
        ResultSet rows = statement.executeQuery()) {
      while (rows.next()) {
        ids.add(rows.getLong(1));
      }
    }
    return ids;
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
