package io.streamspace.billing.prepaid;

import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.Pages;
import io.streamspace.billing.db.SqlArrays;
import io.streamspace.billing.money.Money;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.sql.DataSource;

/**
 * What admission reserves of prepaid balances for the sessions it starts ({@code
 * billing_prepaid_reservations}, V68), and their release.
 *
 * <p><b>Reserving</b> is one statement: the conditional update of the organization's balance row
 * ({@code reserved + amount} where {@code balance - reserved >= amount}) and the session's row,
 * inserted only when the update took the amount. The balance row's lock orders concurrent starts
 * of one organization, on any node, and each re-reads what the one before it left, so together
 * they never reserve more than the balance: there is no check before the act to race with. A
 * session has one reservation, ever: asked again, its first one answers.
 *
 * <p><b>Releasing</b> gives a reservation's amount back to what is available: when the session's
 * end is stored ({@link #releaseEnded}, in the metering batch's transaction), or when check-quotas
 * finds a session that ended otherwise (its heartbeats stopped) or never started ({@link
 * #releaseStale}). The balance rows are locked first, in organization order, as every writer of
 * a balance locks them; a reservation is released once ({@code released_at}).
 *
 * <p><b>Settling</b>: a running session's reservation covers its accrued cost not burned yet
 * and its next {@code holdMinutes}. calculate-usage's burns ({@link Burns}) lower it by what they
 * took for the session, not below zero, in the rating's transaction ({@link #lower}), so that
 * {@code reserved} never holds what was already taken; check-quotas extends it again ({@link
 * #extend}, {@link ReservationExtensions}), taking the increase from what is available, never
 * more.
 */
public final class Reservations {

  /** Why a reservation was released, as {@code released_by} stores it. */
  public enum Release {
    /** The session's {@code session.terminated} was stored. */
    TERMINATED,
    /** The session ended otherwise: calculate-usage closed it after its heartbeats stopped. */
    ENDED,
    /** No event of the session arrived within {@code holdMinutes} of the reservation. */
    NEVER_STARTED;

    String value() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** What {@link #reserve} found. */
  public enum Outcome {
    /** The amount was taken from what is available, for this session. */
    RESERVED,
    /** The session already had its reservation (open or released): nothing more was taken. */
    ALREADY_RESERVED,
    /** Another organization's reservation holds that session id: nothing was taken. */
    HELD_BY_ANOTHER,
    /** What is available was less than the amount (or there is no balance): nothing was taken. */
    SHORT
  }

  /**
   * What {@link #reserve} did, and the balance as read after a refusal (null once reserved: the
   * row is not read again).
   */
  public record Attempt(Outcome outcome, Balance balance) {}

  // one statement: the amount taken where it is available, and the row only where it was
  private static final NamedSql TAKE =
      NamedSql.of(
          """
          WITH taken AS (
            UPDATE billing_prepaid_balances
            SET reserved = reserved + :amount::numeric, updated_at = greatest(updated_at, :at)
            WHERE org_id = :org_id AND currency = :currency
              AND balance - reserved >= :amount::numeric
            RETURNING org_id, currency)
          INSERT INTO billing_prepaid_reservations (session_id, org_id, currency, amount,
                                                    reserved_at)
          SELECT :session_id, org_id, currency, :amount::numeric, :at FROM taken
          ON CONFLICT (session_id) DO NOTHING
          RETURNING session_id""");

  // after a refusal: whose reservation the session has, if any, and the balance (one row always)
  private static final NamedSql FOUND =
      NamedSql.of(
          """
          SELECT r.org_id, b.balance, b.reserved
          FROM (SELECT) one
          LEFT JOIN billing_prepaid_reservations r ON r.session_id = :session_id
          LEFT JOIN billing_prepaid_balances b ON b.org_id = :org_id AND b.currency = :currency""");

  // the balances of the open reservations of these sessions, locked in the ledger's order
  private static final NamedSql LOCK =
      NamedSql.of(
          """
          SELECT b.org_id FROM billing_prepaid_balances b
          WHERE (b.org_id, b.currency) IN (
            SELECT r.org_id, r.currency FROM billing_prepaid_reservations r
            WHERE r.session_id = ANY(:session_id::text[]) AND r.released_at IS NULL)
          ORDER BY b.org_id, b.currency
          FOR UPDATE OF b""");

  private static final NamedSql RELEASE =
      NamedSql.of(
          """
          WITH released AS (
            UPDATE billing_prepaid_reservations r
            SET released_at = e.at, released_by = e.released_by
            FROM unnest(:session_id::text[], :at::text[]::timestamptz[], :released_by::text[])
                 AS e(session_id, at, released_by)
            WHERE r.session_id = e.session_id AND r.released_at IS NULL
            RETURNING r.org_id, r.currency, r.amount),
          given_back AS (
            UPDATE billing_prepaid_balances b SET reserved = b.reserved - s.amount
            FROM (SELECT org_id, currency, sum(amount) AS amount FROM released
                  GROUP BY org_id, currency) s
            WHERE b.org_id = s.org_id AND b.currency = s.currency)
          SELECT count(*) FROM released""");

  // open reservations of sessions that ended, or that never started within the hold, oldest
  // first: the open ones by billing_prepaid_reservations_open, each session by its key
  private static final NamedSql STALE =
      NamedSql.of(
          """
          SELECT r.session_id, s.session_id IS NULL AS never_started
          FROM billing_prepaid_reservations r
          LEFT JOIN billing_sessions s ON s.session_id = r.session_id
          WHERE r.released_at IS NULL
            AND (s.ended_at IS NOT NULL
                 OR (s.session_id IS NULL AND r.reserved_at <= :started_by))
          ORDER BY r.reserved_at
          LIMIT :page""");

  // the open reservations of these sessions: the caller locked their balances
  private static final NamedSql OPEN_OF =
      NamedSql.of(
          """
          SELECT session_id, amount FROM billing_prepaid_reservations
          WHERE session_id = ANY(:session_id::text[]) AND released_at IS NULL""");

  // each open reservation lowered by its amount, and its balance's reserved by as much
  private static final NamedSql LOWER =
      NamedSql.of(
          """
          WITH lowered AS (
            UPDATE billing_prepaid_reservations r SET amount = r.amount - l.amount
            FROM unnest(:session_id::text[], :amount::text[]::numeric[]) AS l(session_id, amount)
            WHERE r.session_id = l.session_id AND r.released_at IS NULL
            RETURNING r.org_id, r.currency, l.amount)
          UPDATE billing_prepaid_balances b SET reserved = b.reserved - s.amount
          FROM (SELECT org_id, currency, sum(amount) AS amount FROM lowered
                GROUP BY org_id, currency) s
          WHERE b.org_id = s.org_id AND b.currency = s.currency""");

  /** How many times {@link #reserve} tries when the balance moves between a try and its read. */
  static final int ATTEMPTS = 5;

  /** How many stale reservations {@link #releaseStale} releases per transaction. */
  static final int PAGE = 1_000;

  /** A session's reservation to release: when, and why. */
  private record Ending(String sessionId, Instant at, Release why) {}

  private final DataSource dataSource;
  private final Clock clock;

  public Reservations(DataSource dataSource, Clock clock) {
    this.dataSource = dataSource;
    this.clock = clock;
  }

  /**
   * Reserves {@code amount} of the organization's balance in {@code currency} for the session,
   * now, in a transaction of its own; nothing when the session already has a reservation, or when
   * less than the amount is available (an organization without a balance has nothing available).
   *
   * <p>A refusal reads the balance after the conditional update, for the refusal to say what was
   * available: when money came back in between (a session ended, a grant) and the read finds the
   * amount available, the reservation is tried again, at most {@value #ATTEMPTS} times in all.
   *
   * @throws IllegalStateException the balance moved between every try and its read
   */
  public Attempt reserve(String orgId, Currency currency, String sessionId, BigDecimal amount)
      throws SQLException {
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      Attempt tried = tryOnce(orgId, currency, sessionId, amount, clock.instant());
      if (tried.outcome() != Outcome.SHORT || tried.balance().available().compareTo(amount) < 0) {
        return tried;
      }
    }
    throw new IllegalStateException(
        "the balance of %s in %s moved between each of %d tries to reserve %s and its read"
            .formatted(orgId, currency, ATTEMPTS, amount));
  }

  private Attempt tryOnce(
      String orgId, Currency currency, String sessionId, BigDecimal amount, Instant at)
      throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try {
        boolean taken;
        try (PreparedStatement statement =
                TAKE.bind("org_id", orgId)
                    .bind("currency", currency.getCurrencyCode())
                    .bind("session_id", sessionId)
                    .bind("amount", amount)
                    .bind("at", at)
                    .prepare(connection);
            ResultSet rs = statement.executeQuery()) {
          taken = rs.next();
        }
        if (taken) {
          connection.commit();
          return new Attempt(Outcome.RESERVED, null);
        }
        // the amount was not available, or the session's row exists: then undo what was taken
        connection.rollback();
        Attempt refused = found(connection, orgId, currency, sessionId);
        connection.rollback(); // read only
        return refused;
      } catch (SQLException | RuntimeException e) {
        try {
          connection.rollback();
        } catch (SQLException rollbackFailure) {
          e.addSuppressed(rollbackFailure);
        }
        throw e;
      }
    }
  }

  private static Attempt found(
      Connection connection, String orgId, Currency currency, String sessionId)
      throws SQLException {
    try (PreparedStatement statement =
            FOUND
                .bind("org_id", orgId)
                .bind("currency", currency.getCurrencyCode())
                .bind("session_id", sessionId)
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      rs.next();
      String heldBy = rs.getString(1);
      BigDecimal balance = rs.getBigDecimal(2);
      Balance read =
          balance == null
              ? new Balance(currency, Money.zero(currency), Money.zero(currency))
              : new Balance(
                  currency,
                  Money.shown(balance, currency),
                  Money.shown(rs.getBigDecimal(3), currency));
      if (heldBy == null) {
        return new Attempt(Outcome.SHORT, read);
      }
      return new Attempt(
          heldBy.equals(orgId) ? Outcome.ALREADY_RESERVED : Outcome.HELD_BY_ANOTHER, read);
    }
  }

  /**
   * Releases the open reservations of the sessions whose end the caller stores, at their end, in
   * the caller's transaction: called after the caller's locks on session and account rows, so
   * that balances are locked after them, as finalization locks them after its accounts.
   *
   * @param endedAt each ended session's end, by session id
   * @return how many reservations were released
   */
  public static int releaseEnded(Connection connection, Map<String, Instant> endedAt)
      throws SQLException {
    List<Ending> endings = new ArrayList<>(endedAt.size());
    endedAt.forEach((session, at) -> endings.add(new Ending(session, at, Release.TERMINATED)));
    return release(connection, endings);
  }

  private static int release(Connection connection, List<Ending> endings) throws SQLException {
    if (endings.isEmpty()) {
      return 0;
    }
    try (PreparedStatement statement =
            LOCK.bind("session_id", SqlArrays.array(connection, endings, Ending::sessionId))
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      if (!rs.next()) {
        return 0; // none of them holds an open reservation: the common case, one read
      }
    }
    try (PreparedStatement statement =
            RELEASE
                .bind("session_id", SqlArrays.array(connection, endings, Ending::sessionId))
                .bind("at", SqlArrays.array(connection, endings, Ending::at))
                .bind("released_by", SqlArrays.array(connection, endings, e -> e.why().value()))
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      rs.next();
      return rs.getInt(1);
    }
  }

  /**
   * The open reservations of these sessions, by session id, read in the caller's transaction,
   * which has locked their balances.
   */
  static Map<String, BigDecimal> open(Connection connection, List<String> sessionIds)
      throws SQLException {
    Map<String, BigDecimal> open = new HashMap<>();
    try (PreparedStatement statement =
            OPEN_OF
                .bind("session_id", SqlArrays.array(connection, sessionIds, id -> id))
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        open.put(rs.getString(1), rs.getBigDecimal(2));
      }
    }
    return open;
  }

  /**
   * Lowers each session's open reservation by its amount (at most the reservation: the caller
   * read it under the balance's lock), and its balance's {@code reserved} by as much, in the
   * caller's transaction: what a burn took for the session is no longer held for it.
   */
  static void lower(Connection connection, Map<String, BigDecimal> by) throws SQLException {
    if (by.isEmpty()) {
      return;
    }
    List<Map.Entry<String, BigDecimal>> rows = List.copyOf(by.entrySet());
    LOWER
        .bind("session_id", SqlArrays.array(connection, rows, Map.Entry::getKey))
        .bind("amount", SqlArrays.array(connection, rows, Map.Entry::getValue))
        .update(connection);
  }

  /**
   * check-quotas' step: extends, now, the open reservations of running sessions on a prepaid plan
   * to cover their accrued cost not burned yet and their next {@code holdMinutes} under {@code
   * config}, as far as what is available goes ({@link ReservationExtensions}).
   *
   * @return how many were raised
   */
  public int extend(BillingConfig config) throws SQLException {
    return new ReservationExtensions(dataSource).extend(config, clock.instant());
  }

  /**
   * check-quotas' step: releases, now, the open reservations of sessions that ended
   * without their terminate releasing them (calculate-usage closed them after their heartbeats
   * stopped, or the reservation came after the end) and of sessions of which no event arrived
   * within {@code hold} of the reservation, a page at a time.
   *
   * @return how many were released
   */
  public int releaseStale(Duration hold) throws SQLException {
    Instant now = clock.instant();
    return Pages.untilShort(
        dataSource,
        PAGE,
        connection -> {
          List<Ending> stale = stale(connection, now.minus(hold), now);
          return new Pages.Page(stale.size(), release(connection, stale));
        });
  }

  private static List<Ending> stale(Connection connection, Instant startedBy, Instant now)
      throws SQLException {
    List<Ending> stale = new ArrayList<>();
    try (PreparedStatement statement =
            STALE.bind("started_by", startedBy).bind("page", PAGE).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        stale.add(
            new Ending(
                rs.getString(1), now, rs.getBoolean(2) ? Release.NEVER_STARTED : Release.ENDED));
      }
    }
    return stale;
  }
}
