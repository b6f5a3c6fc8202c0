package io.streamspace.billing.reserve;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.Pages;
import io.streamspace.billing.db.SqlArrays;
import io.streamspace.common.db.Transactions;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * What admission reserves against an organization's limits other than its prepaid balance (V70):
 * its spending limit with the action {@code block} in a billing period, and each capped meter of
 * a member ("rooms", {@code billing_limit_rooms}); and their release.
 *
 * <p><b>Reserving</b> a session's amounts is one conditional statement per room ({@code reserved
 * + amount <= room}, the room's row created at its first reservation), all of them in one
 * transaction, in the rooms' order: the row's lock orders concurrent starts on any node, each
 * re-reads what the one before it left, and a session short in one room reserves in none. A
 * session reserves once under an organization: asked again, its first reservation answers.
 *
 * <p><b>Releasing</b> gives the amounts back when the session's end is stored ({@link
 * #releaseEnded}, the metering batch's transaction), or by check-quotas ({@link #releaseStale})
 * when it ended otherwise or never started within the hold. A spending limit's reservation
 * (untilAccrued) is released once its hold has passed ({@code reserved_at + hold <= now}): the
 * limit is checked against the period's cost with the running sessions' unrated accrual, so by
 * then the session's first minutes are in that estimate; reserving in its room releases those
 * first (committed, even when the reservation is refused), so the room never counts them twice,
 * and check-quotas releases the rest. The rooms are
 * locked first, in order, as reserving takes them. The prepaid balance's reservations are {@code
 * prepaid.Reservations}': its rows are the ledger's balances.
 */
public final class LimitReservations {

  /**
   * One limit a session reserves against.
   *
   * @param name what the room is, under the organization (a period's spending limit, a member's
   *     meter)
   * @param amount what the session takes of it, more than zero
   * @param room what the limit leaves to reserve: the room's reserved amount may not pass it
   * @param untilAccrued whether the reservation is released once the hold has passed, its cost
   *     then being in the estimate {@code room} is the limit less
   */
  public record Room(String name, BigDecimal amount, BigDecimal room, boolean untilAccrued) {}

  /** What {@link #reserve} found. */
  public enum Outcome {
    /** Every room's amount was taken, for this session. */
    RESERVED,
    /** The session already had its reservation under the organization: nothing more taken. */
    ALREADY_RESERVED,
    /** A room had less left than the amount: nothing was taken. */
    SHORT
  }

  /**
   * What {@link #reserve} did; after a refusal, the room that was short and what was reserved in
   * it when read.
   */
  public record Attempt(Outcome outcome, Room shortRoom, BigDecimal reserved) {}

  // the room's row takes the amount where it leaves room for it, and the session's row is
  // inserted only where it did
  private static final NamedSql TAKE =
      NamedSql.of(
          """
          WITH taken AS (
            INSERT INTO billing_limit_rooms AS b (org_id, room, reserved)
            SELECT :org_id, :room, :amount::numeric WHERE :amount::numeric <= :left::numeric
            ON CONFLICT (org_id, room) DO UPDATE SET reserved = b.reserved + excluded.reserved
            WHERE b.reserved + excluded.reserved <= :left::numeric
            RETURNING b.org_id)
          INSERT INTO billing_limit_reservations (session_id, org_id, room, amount, until_accrued,
                                                  reserved_at)
          SELECT :session_id, org_id, :room, :amount::numeric, :until_accrued, :at FROM taken
          ON CONFLICT DO NOTHING
          RETURNING session_id""");

  // after a refusal: whether the session has its reservation, and what the short room holds
  private static final NamedSql FOUND =
      NamedSql.of(
          """
          SELECT EXISTS (SELECT 1 FROM billing_limit_reservations
                         WHERE session_id = :session_id AND org_id = :org_id),
                 coalesce((SELECT reserved FROM billing_limit_rooms
                           WHERE org_id = :org_id AND room = :room), 0)""");

  // before reserving in a room whose holds end: its row locked, as every release locks it first
  private static final NamedSql LOCK_ROOM =
      NamedSql.of(
          """
          SELECT 1 FROM billing_limit_rooms WHERE org_id = :org_id AND room = :room
          FOR UPDATE""");

  // then its holds that have passed are released, their cost being in the estimate now
  // (billing_limit_reservations_room)
  private static final NamedSql RELEASE_ACCRUED =
      NamedSql.of(
          """
          WITH released AS (
            UPDATE billing_limit_reservations r
            SET released_at = :at,
                released_by = CASE WHEN EXISTS (SELECT 1 FROM billing_sessions s
                                                WHERE s.session_id = r.session_id)
                                   THEN 'accrued' ELSE 'never_started' END
            WHERE r.org_id = :org_id AND r.room = :room AND r.until_accrued
              AND r.released_at IS NULL AND r.reserved_at <= :accrued_by
            RETURNING r.amount)
          UPDATE billing_limit_rooms b SET reserved = b.reserved - s.amount
          FROM (SELECT sum(amount) AS amount FROM released) s
          WHERE b.org_id = :org_id AND b.room = :room AND s.amount IS NOT NULL""");

  // the rooms of the open reservations to release, locked in the order reserving takes them
  private static final NamedSql LOCK =
      NamedSql.of(
          """
          SELECT 1 FROM billing_limit_rooms b
          WHERE (b.org_id, b.room) IN (
            SELECT r.org_id, r.room
            FROM unnest(:session_id::text[], :room::text[]) AS e(session_id, room)
            JOIN billing_limit_reservations r ON r.session_id = e.session_id
             AND (e.room IS NULL OR r.room = e.room) AND r.released_at IS NULL)
          ORDER BY b.org_id, b.room
          FOR UPDATE OF b""");

  // each ending names a session (all its rooms) or one room of it
  private static final NamedSql RELEASE =
      NamedSql.of(
          """
          WITH released AS (
            UPDATE billing_limit_reservations r
            SET released_at = e.at, released_by = e.released_by
            FROM unnest(:session_id::text[], :room::text[], :at::text[]::timestamptz[],
                        :released_by::text[]) AS e(session_id, room, at, released_by)
            WHERE r.session_id = e.session_id AND (e.room IS NULL OR r.room = e.room)
              AND r.released_at IS NULL
            RETURNING r.org_id, r.room, r.amount),
          given_back AS (
            UPDATE billing_limit_rooms b SET reserved = b.reserved - s.amount
            FROM (SELECT org_id, room, sum(amount) AS amount FROM released
                  GROUP BY org_id, room) s
            WHERE b.org_id = s.org_id AND b.room = s.room)
          SELECT count(*) FROM released""");

  // a reservation admission took and then undid (a later step refused the session): gone, as
  // if never taken, so the session may be admitted again
  private static final NamedSql CANCEL =
      NamedSql.of(
          """
          WITH cancelled AS (
            DELETE FROM billing_limit_reservations
            WHERE session_id = :session_id AND org_id = :org_id AND released_at IS NULL
            RETURNING org_id, room, amount)
          UPDATE billing_limit_rooms b SET reserved = b.reserved - c.amount
          FROM cancelled c WHERE b.org_id = c.org_id AND b.room = c.room""");

  // open reservations of sessions that ended, never started within the hold, or (until_accrued)
  // whose hold has passed; oldest first, by billing_limit_reservations_open
  private static final NamedSql STALE =
      NamedSql.of(
          """
          SELECT r.session_id, r.room,
                 CASE WHEN s.session_id IS NULL THEN 'never_started'
                      WHEN s.ended_at IS NOT NULL THEN 'ended' ELSE 'accrued' END
          FROM billing_limit_reservations r
          LEFT JOIN billing_sessions s ON s.session_id = r.session_id
          WHERE r.released_at IS NULL
            AND (s.ended_at IS NOT NULL
                 OR ((s.session_id IS NULL OR r.until_accrued) AND r.reserved_at <= :started_by))
          ORDER BY r.reserved_at
          LIMIT :page""");

  /** How many times {@link #reserve} tries when a room moves between a try and its read. */
  static final int ATTEMPTS = 5;

  /** How many stale reservations {@link #releaseStale} releases per transaction. */
  static final int PAGE = 1_000;

  /** A reservation to release: a session's (room null: all its rooms), when and why. */
  private record Ending(String sessionId, String room, Instant at, String why) {}

  private final DataSource dataSource;
  private final Clock clock;

  public LimitReservations(DataSource dataSource, Clock clock) {
    this.dataSource = dataSource;
    this.clock = clock;
  }

  /**
   * Reserves each room's amount for the session under the organization, now, in a transaction of
   * its own, after releasing the reservations whose {@code hold} has passed (of rooms whose
   * reservations last until then, in a transaction before it); nothing when the session already
   * has its reservation, or when a room has less left than its amount. A refusal reads the short
   * room after the rollback, for the refusal to say what was reserved: when room came back in
   * between, it tries again, {@value #ATTEMPTS} times in all.
   *
   * @param rooms not empty
   * @throws IllegalStateException the room moved between every try and its read
   */
  public Attempt reserve(String orgId, String sessionId, List<Room> rooms, Duration hold)
      throws SQLException {
    // always in the same order, so that two sessions' transactions never wait for each other
    List<Room> ordered = rooms.stream().sorted(Comparator.comparing(Room::name)).toList();
    releaseAccrued(orgId, ordered, hold);
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      Attempt tried = tryOnce(orgId, sessionId, ordered, clock.instant());
      if (tried.outcome() != Outcome.SHORT
          || tried.reserved().add(tried.shortRoom().amount()).compareTo(tried.shortRoom().room())
              > 0) {
        return tried;
      }
    }
    throw new IllegalStateException(
        "the limits of %s moved between each of %d tries to reserve for %s and their read"
            .formatted(orgId, ATTEMPTS, sessionId));
  }

  private Attempt tryOnce(String orgId, String sessionId, List<Room> rooms, Instant at)
      throws SQLException {
    return Transactions.inTransaction(
        dataSource,
        connection -> {
          for (Room room : rooms) {
            if (!taken(connection, orgId, sessionId, room, at)) {
              connection.rollback(); // what the rooms before it took, or nothing
              Attempt refused = found(connection, orgId, sessionId, room);
              connection.rollback(); // read only
              return refused;
            }
          }
          return new Attempt(Outcome.RESERVED, null, null);
        });
  }

  private static boolean taken(
      Connection connection, String orgId, String sessionId, Room room, Instant at)
      throws SQLException {
    try (PreparedStatement statement =
            TAKE.bind("org_id", orgId)
                .bind("room", room.name())
                .bind("amount", room.amount())
                .bind("left", room.room())
                .bind("session_id", sessionId)
                .bind("until_accrued", room.untilAccrued())
                .bind("at", at)
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      return rs.next();
    }
  }

  /**
   * Releases, now, the reservations made {@code hold} or longer ago in the rooms whose
   * reservations last until then, in a transaction of its own (committed whether or not the
   * reservation after it is refused), each room locked first.
   */
  private void releaseAccrued(String orgId, List<Room> rooms, Duration hold) throws SQLException {
    List<Room> accruing = rooms.stream().filter(Room::untilAccrued).toList();
    if (accruing.isEmpty()) {
      return;
    }
    Instant at = clock.instant();
    Transactions.inTransaction(
        dataSource,
        connection -> {
          for (Room room : accruing) {
            try (PreparedStatement lock =
                    LOCK_ROOM.bind("org_id", orgId).bind("room", room.name()).prepare(connection);
                ResultSet rs = lock.executeQuery()) {
              if (!rs.next()) {
                continue; // the room's first reservation: none to release
              }
            }
            RELEASE_ACCRUED
                .bind("org_id", orgId)
                .bind("room", room.name())
                .bind("at", at)
                .bind("accrued_by", at.minus(hold))
                .update(connection);
          }
          return null;
        });
  }

  private static Attempt found(Connection connection, String orgId, String sessionId, Room room)
      throws SQLException {
    try (PreparedStatement statement =
            FOUND
                .bind("org_id", orgId)
                .bind("session_id", sessionId)
                .bind("room", room.name())
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      rs.next();
      return rs.getBoolean(1)
          ? new Attempt(Outcome.ALREADY_RESERVED, null, null)
          : new Attempt(Outcome.SHORT, room, rs.getBigDecimal(2));
    }
  }

  /**
   * Undoes the session's reservation under the organization, which {@link #reserve} made for an
   * admission a later step refused: its rows are deleted, so asking again reserves anew.
   */
  public void cancel(String orgId, String sessionId) throws SQLException {
    Transactions.inTransaction(
        dataSource,
        connection -> {
          lock(connection, List.of(new Ending(sessionId, null, null, null)));
          CANCEL.bind("session_id", sessionId).bind("org_id", orgId).update(connection);
          return null;
        });
  }

  /**
   * Releases the open reservations of the sessions whose end the caller stores, at their end, in
   * the caller's transaction (after its locks on session and account rows).
   *
   * @param endedAt each ended session's end, by session id
   * @return how many reservations were released
   */
  public static int releaseEnded(Connection connection, Map<String, Instant> endedAt)
      throws SQLException {
    List<Ending> endings = new ArrayList<>(endedAt.size());
    endedAt.forEach((session, at) -> endings.add(new Ending(session, null, at, "terminated")));
    return release(connection, endings);
  }

  /**
   * check-quotas' step: releases, now, a page at a time, the open reservations of sessions that
   * ended without their terminate releasing them, of sessions of which no event arrived within
   * {@code hold} of the reservation, and a spending limit's once {@code hold} has passed since it
   * was made.
   *
   * @return how many were released
   */
  public int releaseStale(Duration hold) throws SQLException {
    Instant now = clock.instant();
    return Pages.untilShort(
        dataSource,
        PAGE,
        connection -> {
          List<Ending> stale = stale(connection, now, hold);
          return new Pages.Page(stale.size(), release(connection, stale));
        });
  }

  private static List<Ending> stale(Connection connection, Instant now, Duration hold)
      throws SQLException {
    List<Ending> stale = new ArrayList<>();
    try (PreparedStatement statement =
            STALE.bind("started_by", now.minus(hold)).bind("page", PAGE).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        stale.add(new Ending(rs.getString(1), rs.getString(2), now, rs.getString(3)));
      }
    }
    return stale;
  }

  private static int release(Connection connection, List<Ending> endings) throws SQLException {
    if (endings.isEmpty() || !lock(connection, endings)) {
      return 0; // none of them holds an open reservation: the common case, one read
    }
    try (PreparedStatement statement =
            RELEASE
                .bind("session_id", SqlArrays.array(connection, endings, Ending::sessionId))
                .bind("room", SqlArrays.array(connection, endings, Ending::room))
                .bind("at", SqlArrays.array(connection, endings, Ending::at))
                .bind("released_by", SqlArrays.array(connection, endings, Ending::why))
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      rs.next();
      return rs.getInt(1);
    }
  }

  /** Locks the rooms of the endings' open reservations; whether there are any. */
  private static boolean lock(Connection connection, List<Ending> endings) throws SQLException {
    try (PreparedStatement statement =
            LOCK.bind("session_id", SqlArrays.array(connection, endings, Ending::sessionId))
                .bind("room", SqlArrays.array(connection, endings, Ending::room))
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      return rs.next();
    }
  }
}
