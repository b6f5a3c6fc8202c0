package io.streamspace.billing.credits;

import io.streamspace.billing.config.ActivityRates;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
import io.streamspace.billing.money.Money;
import io.streamspace.billing.money.UsageUnit;
import io.streamspace.billing.rating.HeldSteps;
import io.streamspace.common.db.Sql;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a stretch of a session was billed, priced as rating bills it ({@link HeldSteps}, the rule
 * live cost prices unrated time by too), since at its terminate its last minutes are not rated
 * yet: from its steps as they are stored then (its cores and memory, {@code
 * billing_session_sizes}; each held meter, {@code billing_session_held}), with nothing held
 * while its organization was held for a spent balance ({@code billing_account_holds}, {@code
 * balance_exhausted}) or it was hibernated ({@code billing_session_hibernations}), each
 * resource at its unit price times the factor of the activity state it was in ({@code
 * activityRates}, {@code billing_session_activity}), a held meter without a price in the
 * currency costing nothing:
 *
 * <pre>  cost = round( Σ amount × seconds × price × factor / 3,600 )</pre>
 *
 * over each stretch in which the amounts, the pauses and the state hold, summed exactly and
 * rounded once, half up, to the currency's minor unit ({@link Money#lineTotal}), as an invoice
 * line is. Before its first step a session holds nothing. Storage is left out: it is the
 * organization's level, billed whether the session runs or not, hibernated or not.
 *
 * <p>Example: 2 cores and 4 GB at USD 0.05 a core-hour and 0.01 a GB-hour cost 0.14 an hour; a
 * session resized to 4 cores and 8 GB (0.28 an hour) 5 minutes before it ended, credited its
 * last 15 minutes: (0.14 × 600 + 0.28 × 300) / 3,600 = 168 / 3,600 = 0.04666…, credited 0.05.
 * Had it been idle those 15 minutes at a cpu factor of 0.5 (its cores at 0.025 a core-hour), it
 * would be credited (0.09 × 600 + 0.18 × 300) / 3,600 = 108 / 3,600 = 0.03; hibernated, 0.
 */
final class FaultCreditCost {

  private static final BigDecimal HOUR = UsageUnit.CPU.unitSecondsPerUnit();

  private static final NamedSql SIZES =
      NamedSql.of(
          """
          SELECT session_id, effective_from, cpu_cores, memory_gb FROM billing_session_sizes
          WHERE session_id = ANY(:session_id::text[])""");

  private static final NamedSql HELD =
      NamedSql.of(
          """
          SELECT session_id, meter_id, effective_from, amount FROM billing_session_held
          WHERE session_id = ANY(:session_id::text[])""");

  private static final NamedSql ACTIVITY =
      NamedSql.of(
          """
          SELECT session_id, effective_from, state FROM billing_session_activity
          WHERE session_id = ANY(:session_id::text[])""");

  // the spans each session is billed storage-only in, as rating cuts them (PausedSteps): its
  // organization's holds for a spent balance (hibernated false), and its own hibernations
  private static final NamedSql PAUSES =
      NamedSql.of(
          """
          SELECT s.session_id, h.placed_at, h.lifted_at, false FROM billing_sessions s
          JOIN billing_account_holds h ON h.user_id = s.org_id
          WHERE s.session_id = ANY(:session_id::text[]) AND h.reason = 'balance_exhausted'
          UNION ALL
          SELECT z.session_id, z.hibernated_at, z.resumed_at, true
          FROM billing_session_hibernations z WHERE z.session_id = ANY(:session_id::text[])""");

  private FaultCreditCost() {}

  /**
   * The cost of {@code [from, to)} of a session's {@code steps} at {@code prices} (by resource,
   * per unit-hour), in {@code currency}'s minor unit.
   */
  static BigDecimal of(
      Instant from,
      Instant to,
      HeldSteps steps,
      Map<UsageUnit, BigDecimal> prices,
      Currency currency) {
    return Money.lineTotal(steps.cost(from, to, prices), HOUR, currency);
  }

  /**
   * Each of {@code ids}' steps as they are stored now: its cores, memory and held meters, nothing
   * held during its pauses, priced by its activity states at {@code rates} (read only when some
   * factor differs from 1: otherwise activity changes no price).
   */
  static Map<String, HeldSteps> steps(Connection connection, List<String> ids, ActivityRates rates)
      throws SQLException {
    Map<String, Map<UsageUnit, List<HeldSteps.Step>>> steps = new HashMap<>();
    read(
        connection,
        SIZES,
        ids,
        rs -> {
          Map<UsageUnit, List<HeldSteps.Step>> its = mapOf(steps, rs.getString(1));
          Instant from = rs.getTimestamp(2).toInstant();
          listOf(its, UsageUnit.CPU).add(new HeldSteps.Step(from, rs.getBigDecimal(3)));
          listOf(its, UsageUnit.MEMORY).add(new HeldSteps.Step(from, rs.getBigDecimal(4)));
        });
    read(
        connection,
        HELD,
        ids,
        rs -> {
          String meter = rs.getString(2);
          if (UsageUnit.builtIn(meter) == null) { // a held meter's id, as live cost reads them
            listOf(mapOf(steps, rs.getString(1)), UsageUnit.held(meter))
                .add(new HeldSteps.Step(rs.getTimestamp(3).toInstant(), rs.getBigDecimal(4)));
          }
        });
    Map<String, List<HeldSteps.ActivityStep>> activity = new HashMap<>();
    if (rates.any()) {
      read(
          connection,
          ACTIVITY,
          ids,
          rs ->
              listOf(activity, rs.getString(1))
                  .add(
                      new HeldSteps.ActivityStep(rs.getTimestamp(2).toInstant(), rs.getString(3))));
    }
    Map<String, List<HeldSteps.Pause>> held = new HashMap<>();
    Map<String, List<HeldSteps.Pause>> hibernated = new HashMap<>();
    read(
        connection,
        PAUSES,
        ids,
        rs ->
            listOf(rs.getBoolean(4) ? hibernated : held, rs.getString(1))
                .add(
                    new HeldSteps.Pause(
                        rs.getTimestamp(2).toInstant(), Sql.instant(rs.getTimestamp(3)))));
    Map<String, HeldSteps> priced = new HashMap<>();
    steps.forEach(
        (id, its) ->
            priced.put(
                id,
                new HeldSteps(its)
                    .pausedDuring(
                        held.getOrDefault(id, List.of()), hibernated.getOrDefault(id, List.of()))
                    .pricedBy(
                        new HeldSteps.Activity(activity.getOrDefault(id, List.of()), rates))));
    return priced;
  }

  private interface Row {
    void read(ResultSet rs) throws SQLException;
  }

  private static void read(Connection connection, NamedSql sql, List<String> ids, Row row)
      throws SQLException {
    try (PreparedStatement statement =
            sql.bind("session_id", SqlArrays.array(connection, ids, id -> id)).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        row.read(rs);
      }
    }
  }

  private static <K, V> List<V> listOf(Map<K, List<V>> lists, K key) {
    return lists.computeIfAbsent(key, k -> new ArrayList<>());
  }

  private static <K, U, V> Map<U, V> mapOf(Map<K, Map<U, V>> maps, K key) {
    return maps.computeIfAbsent(key, k -> new HashMap<>());
  }
}
