package io.streamspace.billing.prepaid;

import io.streamspace.billing.catalog.SubscriptionPlan;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
import io.streamspace.billing.rating.CurrencyRates;
import io.streamspace.plugin.api.event.ResourceSize;
import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * check-quotas' extension of the reservations of running sessions on a prepaid plan ({@link
 * Reservations#extend}): each is brought up to what covers the session's accrued cost not burned
 * yet (its time since its rating watermark) and its next {@code holdMinutes}, both at its current
 * sizes ({@link SessionHold}, rounded up). The increase is taken from what is available with one
 * conditional update per organization, as {@link Reservations#reserve} takes a hold: never more
 * than is available; when less is, the sessions (in id order) take what there is and the last
 * ones are left short, which the runway shows (billing does not stop a session here). A
 * reservation is only extended: a burn lowers it ({@link Burns}).
 *
 * <p>An organization held for a spent balance ({@code balance_exhausted}) is skipped: its
 * sessions are suspended and accrue nothing but its storage, which is the organization's and
 * not a session's. Once the hold is lifted, a session's accrual counts from the later of its
 * watermark and the lift, not across the time it was suspended.
 */
final class ReservationExtensions {

  // the open reservations of running sessions of organizations on a prepaid plan not held for a
  // spent balance, with where each session's accrual not rated starts (its watermark, or the
  // last lift of such a hold when later: suspended, it accrued storage only, which rating bills
  // the organization) and its current sizes (its newest size step, its held meters' newest)
  private static final NamedSql RUNNING =
      NamedSql.of(
          """
          SELECT r.session_id, r.org_id, r.currency, r.amount,
                 greatest(coalesce(s.rated_until, s.started_at), k.lifted), z.cpu_cores,
                 z.memory_gb, h.meters, h.amounts
          FROM billing_prepaid_reservations r
          JOIN billing_sessions s ON s.session_id = r.session_id AND s.ended_at IS NULL
          LEFT JOIN LATERAL (
              SELECT max(k.lifted_at) AS lifted, bool_or(k.lifted_at IS NULL) AS active
              FROM billing_account_holds k
              WHERE k.user_id = r.org_id AND k.reason = 'balance_exhausted') k ON true
          LEFT JOIN LATERAL (
              SELECT z.cpu_cores, z.memory_gb FROM billing_session_sizes z
              WHERE z.session_id = r.session_id
              ORDER BY z.effective_from DESC LIMIT 1) z ON true
          LEFT JOIN LATERAL (
              SELECT array_agg(meter_id::text) AS meters, array_agg(amount::text) AS amounts
              FROM (SELECT DISTINCT ON (meter_id) meter_id, amount FROM billing_session_held
                    WHERE session_id = r.session_id
                    ORDER BY meter_id, effective_from DESC) n) h ON true
          WHERE r.released_at IS NULL AND NOT coalesce(k.active, false)
            AND EXISTS (SELECT 1 FROM billing_subscriptions p
                        WHERE p.user_id = r.org_id AND p.ended_at IS NULL
                          AND p.plan_id = ANY (:prepaid_plans::text[]))
          ORDER BY r.org_id, r.currency, r.session_id""");

  // One statement per organization: its balance row locked and read (what is available), each
  // session given its increase while what is available lasts, in order, and reserved raised by
  // what was given. A reservation released meanwhile (its release locks the row first) is given
  // nothing.
  private static final NamedSql EXTEND =
      NamedSql.of(
          """
          WITH old AS MATERIALIZED (
            SELECT org_id, currency, balance - reserved AS available
            FROM billing_prepaid_balances
            WHERE org_id = :org_id AND currency = :currency AND balance > reserved
            FOR UPDATE),
          wanted AS (
            SELECT w.session_id, w.add, sum(w.add) OVER (ORDER BY w.n) - w.add AS before
            FROM unnest(:session_id::text[], :add::text[]::numeric[]) WITH ORDINALITY
                 AS w(session_id, add, n)),
          given AS (
            SELECT w.session_id, least(w.add, o.available - w.before) AS add
            FROM wanted w CROSS JOIN old o WHERE o.available > w.before),
          extended AS (
            UPDATE billing_prepaid_reservations r SET amount = r.amount + g.add
            FROM given g WHERE r.session_id = g.session_id AND r.released_at IS NULL
            RETURNING g.add)
          UPDATE billing_prepaid_balances b
          SET reserved = b.reserved + (SELECT coalesce(sum(add), 0) FROM extended),
              updated_at = greatest(b.updated_at, :at)
          FROM old o WHERE b.org_id = o.org_id AND b.currency = o.currency
          RETURNING (SELECT count(*) FROM extended)""");

  /** A reservation that needs more: its session's, of its organization and currency. */
  private record Increase(String sessionId, BigDecimal add) {}

  private final DataSource dataSource;

  ReservationExtensions(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** Extends the reservations at {@code now} under {@code config}; answers how many it raised. */
  int extend(BillingConfig config, Instant now) throws SQLException {
    List<String> prepaidPlans =
        config.subscriptionPlans().stream()
            .filter(SubscriptionPlan::prepaid)
            .map(SubscriptionPlan::id)
            .toList();
    if (prepaidPlans.isEmpty()) {
      return 0;
    }
    Map<String, List<Increase>> byBalance = new LinkedHashMap<>(); // "<org> <currency>"
    Map<Currency, Optional<CurrencyRates>> rates = new HashMap<>();
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement =
            RUNNING
                .bind("prepaid_plans", SqlArrays.array(connection, prepaidPlans, id -> id))
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        Currency currency = Currency.getInstance(rs.getString(3).trim());
        Optional<CurrencyRates> in =
            rates.computeIfAbsent(currency, c -> CurrencyRates.in(config, c));
        if (in.isEmpty() || rs.getBigDecimal(6) == null) {
          continue; // unrated currency, or no size reported yet: nothing accrues
        }
        Instant from = rs.getTimestamp(5).toInstant();
        Duration accrued = from.isBefore(now) ? Duration.between(from, now) : Duration.ZERO;
        BigDecimal target =
            SessionHold.of(
                    size(rs.getBigDecimal(6), rs.getBigDecimal(7), rs.getArray(8), rs.getArray(9)),
                    in.get(),
                    config.billingMode(),
                    accrued.plus(config.hold()),
                    currency)
                .amount();
        BigDecimal add = target.subtract(rs.getBigDecimal(4));
        if (add.signum() > 0) {
          byBalance
              .computeIfAbsent(
                  rs.getString(2) + ' ' + currency.getCurrencyCode(), k -> new ArrayList<>())
              .add(new Increase(rs.getString(1), add));
        }
      }
    }
    int extended = 0;
    for (Map.Entry<String, List<Increase>> balance : byBalance.entrySet()) {
      String key = balance.getKey();
      List<Increase> increases = balance.getValue();
      try (Connection connection = dataSource.getConnection();
          PreparedStatement statement =
              EXTEND
                  .bind("org_id", key.substring(0, key.lastIndexOf(' ')))
                  .bind("currency", key.substring(key.lastIndexOf(' ') + 1))
                  .bind("session_id", SqlArrays.array(connection, increases, Increase::sessionId))
                  .bind("add", SqlArrays.array(connection, increases, Increase::add))
                  .bind("at", now)
                  .prepare(connection);
          ResultSet rs = statement.executeQuery()) {
        extended += rs.next() ? rs.getInt(1) : 0;
      }
    }
    return extended;
  }

  private static ResourceSize size(
      BigDecimal cpuCores, BigDecimal memoryGb, Array meters, Array amounts) throws SQLException {
    Map<String, BigDecimal> held = new HashMap<>();
    if (meters != null) {
      Object[] ids = (Object[]) meters.getArray();
      Object[] values = (Object[]) amounts.getArray();
      for (int i = 0; i < ids.length; i++) {
        held.put(String.valueOf(ids[i]), new BigDecimal(String.valueOf(values[i])));
      }
    }
    return new ResourceSize(cpuCores, memoryGb, BigDecimal.ZERO, held);
  }
}
