package io.streamspace.billing.hold;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
import io.streamspace.common.db.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** The holds as stored ({@code billing_account_holds}), and the sessions a hold acts on. */
final class HoldStore {

  private static final String COLUMNS =
      "id, user_id, reason, detail, placed_at, lifted_at, lifted_by, lift_note";

  // the partial unique index makes a second active hold of the same reason a no-op; a closed
  // organization is never held again (its holds were released at its closing)
  private static final NamedSql PLACE =
      NamedSql.of(
          """
          INSERT INTO billing_account_holds (user_id, reason, detail, placed_at)
          SELECT CAST(:user_id AS text), CAST(:reason AS text), CAST(:detail AS text),
                 CAST(:now AS timestamptz)
          WHERE NOT EXISTS (SELECT 1 FROM billing_accounts
                            WHERE user_id = :user_id AND closed_at <= :now)
          ON CONFLICT (user_id, reason) WHERE lifted_at IS NULL DO NOTHING
          RETURNING %s"""
              .formatted(COLUMNS));

  private static final NamedSql LIFT =
      NamedSql.of(
          """
          UPDATE billing_account_holds
          SET lifted_at = :now, lifted_by = :lifted_by, lift_note = :note
          WHERE user_id = :user_id AND reason = :reason AND lifted_at IS NULL
          RETURNING %s"""
              .formatted(COLUMNS));

  private static final NamedSql ACTIVE_OF =
      NamedSql.of(
          """
          SELECT %s FROM billing_account_holds
          WHERE user_id = :user_id AND lifted_at IS NULL
          ORDER BY placed_at, id"""
              .formatted(COLUMNS));

  private static final NamedSql ALL_ACTIVE =
      NamedSql.of(
          """
          SELECT user_id, reason, detail FROM billing_account_holds WHERE lifted_at IS NULL
          """);

  // the active holds of the organizations closed by now, which their closing releases
  private static final NamedSql ACTIVE_OF_CLOSED =
      NamedSql.of(
          """
          SELECT h.user_id, h.reason FROM billing_account_holds h
          JOIN billing_accounts a ON a.user_id = h.user_id
          WHERE h.lifted_at IS NULL AND a.closed_at <= :now
          ORDER BY h.user_id, h.reason""");

  private static final NamedSql OPEN_SESSIONS =
      NamedSql.of(
          """
          SELECT session_id FROM billing_sessions
          WHERE org_id = :user_id AND ended_at IS NULL
          ORDER BY session_id
          """);

  // a lifted hold is done with when its account is still held: that hold's lift resumes them
  private static final NamedSql SETTLE_STILL_HELD =
      NamedSql.of(
          """
          UPDATE billing_account_holds h SET sessions_done_at = :now
          WHERE h.lifted_at IS NOT NULL AND h.sessions_done_at IS NULL
            AND EXISTS (
              SELECT 1 FROM billing_account_holds a
              WHERE a.user_id = h.user_id AND a.lifted_at IS NULL)""");

  private static final NamedSql NOT_RESUMED =
      NamedSql.of(
          """
          SELECT h.user_id, h.id FROM billing_account_holds h
          WHERE h.lifted_at IS NOT NULL AND h.sessions_done_at IS NULL
            AND NOT EXISTS (
              SELECT 1 FROM billing_account_holds a
              WHERE a.user_id = h.user_id AND a.lifted_at IS NULL)
          ORDER BY h.user_id, h.id""");

  private static final NamedSql SESSIONS_DONE =
      NamedSql.of(
          """
          UPDATE billing_account_holds SET sessions_done_at = :now
          WHERE id = ANY (CAST(:ids AS bigint[]))""");

  // every held account's sessions that have not ended, in one statement for enforce
  private static final NamedSql OPEN_SESSIONS_OF_HELD =
      NamedSql.of(
          """
          SELECT s.org_id, s.session_id FROM billing_sessions s
          WHERE s.ended_at IS NULL
            AND s.org_id IN (SELECT user_id FROM billing_account_holds WHERE lifted_at IS NULL)
          ORDER BY s.org_id, s.session_id""");

  private HoldStore() {}

  /** The hold placed now; empty when the account already had an active one of that reason. */
  static Optional<Hold> place(
      Connection connection, String orgId, HoldReason reason, String detail, Instant now)
      throws SQLException {
    return one(
        PLACE
            .bind("user_id", orgId)
            .bind("reason", reason.dbName())
            .bind("detail", detail)
            .bind("now", now)
            .prepare(connection));
  }

  /** The hold lifted now; empty when the account had no active one of that reason. */
  static Optional<Hold> lift(
      Connection connection,
      String orgId,
      HoldReason reason,
      String liftedBy,
      String note,
      Instant now)
      throws SQLException {
    return one(
        LIFT.bind("user_id", orgId)
            .bind("reason", reason.dbName())
            .bind("lifted_by", liftedBy)
            .bind("note", note)
            .bind("now", now)
            .prepare(connection));
  }

  /** The account's active holds, oldest first. */
  static List<Hold> active(Connection connection, String orgId) throws SQLException {
    try (PreparedStatement statement = ACTIVE_OF.bind("user_id", orgId).prepare(connection);
        ResultSet rows = statement.executeQuery()) {
      List<Hold> holds = new ArrayList<>();
      while (rows.next()) {
        holds.add(hold(rows));
      }
      return holds;
    }
  }

  /** Every held account's active holds: their reasons and details. */
  static Map<String, Map<HoldReason, String>> activeByAccount(Connection connection)
      throws SQLException {
    try (PreparedStatement statement = ALL_ACTIVE.binding().prepare(connection);
        ResultSet rows = statement.executeQuery()) {
      Map<String, Map<HoldReason, String>> held = new HashMap<>();
      while (rows.next()) {
        held.computeIfAbsent(rows.getString(1), id -> new EnumMap<>(HoldReason.class))
            .put(HoldReason.ofDbName(rows.getString(2)), rows.getString(3));
      }
      return held;
    }
  }

  /** The active holds of the organizations closed at or before {@code now}, by account. */
  static Map<String, List<HoldReason>> activeOfClosed(Connection connection, Instant now)
      throws SQLException {
    try (PreparedStatement statement = ACTIVE_OF_CLOSED.bind("now", now).prepare(connection);
        ResultSet rows = statement.executeQuery()) {
      Map<String, List<HoldReason>> held = new TreeMap<>();
      while (rows.next()) {
        held.computeIfAbsent(rows.getString(1), id -> new ArrayList<>())
            .add(HoldReason.ofDbName(rows.getString(2)));
      }
      return held;
    }
  }

  /**
   * Marks done the lifted holds whose account is still held (nothing to resume), and answers the
   * others not marked done yet: their lifted hold ids by account, whose sessions are to resume.
   */
  static Map<String, List<Long>> notResumed(Connection connection, Instant now)
      throws SQLException {
    SETTLE_STILL_HELD.bind("now", now).update(connection);
    try (PreparedStatement statement = NOT_RESUMED.binding().prepare(connection);
        ResultSet rows = statement.executeQuery()) {
      Map<String, List<Long>> holds = new HashMap<>();
      while (rows.next()) {
        holds.computeIfAbsent(rows.getString(1), id -> new ArrayList<>()).add(rows.getLong(2));
      }
      return holds;
    }
  }

  /** The sessions of these lifted holds were resumed. */
  static void sessionsDone(Connection connection, List<Long> holdIds, Instant now)
      throws SQLException {
    SESSIONS_DONE
        .bind("now", now)
        .bind("ids", SqlArrays.array(connection, holdIds, id -> id))
        .update(connection);
  }

  /** The open sessions of every account with an active hold, by account. */
  static Map<String, List<String>> openSessionsOfHeldAccounts(Connection connection)
      throws SQLException {
    try (PreparedStatement statement = OPEN_SESSIONS_OF_HELD.binding().prepare(connection);
        ResultSet rows = statement.executeQuery()) {
      Map<String, List<String>> sessions = new HashMap<>();
      while (rows.next()) {
        sessions.computeIfAbsent(rows.getString(1), id -> new ArrayList<>()).add(rows.getString(2));
      }
      return sessions;
    }
  }

  /** The account's sessions that have not ended, as metering stored them. */
  static List<String> openSessions(Connection connection, String orgId) throws SQLException {
    try (PreparedStatement statement = OPEN_SESSIONS.bind("user_id", orgId).prepare(connection);
        ResultSet rows = statement.executeQuery()) {
      List<String> sessions = new ArrayList<>();
      while (rows.next()) {
        sessions.add(rows.getString(1));
      }
      return sessions;
    }
  }

  private static Optional<Hold> one(PreparedStatement statement) throws SQLException {
    try (statement;
        ResultSet rows = statement.executeQuery()) {
      return rows.next() ? Optional.of(hold(rows)) : Optional.empty();
    }
  }

  private static Hold hold(ResultSet row) throws SQLException {
    return new Hold(
        row.getLong("id"),
        row.getString("user_id"),
        HoldReason.ofDbName(row.getString("reason")),
        row.getString("detail"),
        Sql.instant(row.getTimestamp("placed_at")),
        Sql.instant(row.getTimestamp("lifted_at")),
        row.getString("lifted_by"),
        row.getString("lift_note"));
  }
}
