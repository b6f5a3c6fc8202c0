package io.streamspace.billing.rating;

import io.streamspace.billing.config.ActivityRates;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
import io.streamspace.billing.money.UsageUnit;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/**
 * The part of a rating statement that turns steps into priced usage, shared by calculate-usage's
 * RATE ({@link RatingRepository}) and a correction's re-rating ({@link Rerating}), so that a
 * slice is cut and priced by one text whichever statement rates it. It reads the CTE {@code
 * moved} (each subject: {@code user_id, session_id, currency, from_t, rate_to}, the range it
 * rates) and the CTE {@code steps} (each subject's size, storage level and held-meter steps with
 * their subject's columns), and ends with the CTE {@code priced}: every slice's usage of each
 * resource, priced ({@link ActivitySteps#priced}).
 */
final class SliceUsage {

  private static final String PARTS =
      """
      -- Each subject's slices are the cells between the run's cut points (every UTC hour from
      -- the earliest from_t to past the cap, and the midnights; sorted) clipped to its range.
      -- For each step, width_bucket finds the cells from the one holding where the step and
      -- the range start overlapping to the one holding the last instant before they stop
      -- (timestamps count in microseconds): no join; generate_series in the select list, not
      -- joined laterally, so that no step stores its cells in a tuplestore of their own. Each
      -- slice × overlapping step, with overlap seconds; covers when the step spans the whole
      -- slice, the usual case, which then needs no aggregation (numeric sums are costly)
      parts AS MATERIALIZED (
        SELECT g.user_id, g.session_id, g.currency, s.slice_start, s.slice_end,
               g.cpu_cores, g.memory_gb, g.storage_gb, g.held_id, g.held_amount, g.state,
               g.step_start <= s.slice_start
                 AND (g.step_end IS NULL OR g.step_end >= s.slice_end) AS covers,
               extract(epoch FROM least(s.slice_end, coalesce(g.step_end, s.slice_end))
                   - greatest(s.slice_start, g.step_start)) AS seconds
        FROM (SELECT g.*, generate_series(
                  width_bucket(greatest(g.from_t, g.step_start), :cuts::timestamptz[]),
                  width_bucket(least(g.rate_to, coalesce(g.step_end, g.rate_to))
                                   - interval '1 microsecond', :cuts::timestamptz[])) AS i
              FROM timed_steps g) g
        CROSS JOIN LATERAL (
            SELECT greatest((:cuts::timestamptz[])[g.i], g.from_t) AS slice_start,
                   least((:cuts::timestamptz[])[g.i + 1], g.rate_to) AS slice_end) s
        WHERE g.step_start < s.slice_end
          AND (g.step_end IS NULL OR g.step_end > s.slice_start)
      ),
      usage AS NOT MATERIALIZED (
        SELECT user_id, session_id, currency, slice_start, slice_end, state, covers,
               cpu_cores * seconds AS cpu, memory_gb * seconds AS memory,
               storage_gb * seconds AS storage, held_id, held_amount * seconds AS held
        FROM parts
      ),""";

  private SliceUsage() {}

  /**
   * The CTEs from {@code steps} to {@code priced} ({@link PausedSteps#CTES}, {@link
   * ActivitySteps#CTES}, the slices and their usage, {@link ActivitySteps#priced} with {@code
   * guard}), without a comma after the last.
   */
  static String fromSteps(String guard) {
    return PausedSteps.CTES
        + "\n"
        + ActivitySteps.CTES
        + "\n"
        + PARTS
        + "\n"
        + ActivitySteps.priced(guard);
  }

  /**
   * Binds what {@link #fromSteps} and the {@code steps} it reads take: the cut points, the
   * rates by currency, the held meters priced and the activity factors.
   */
  static NamedSql.Binding bind(
      NamedSql.Binding binding,
      Connection connection,
      List<Instant> cuts,
      List<CurrencyRates> rates,
      ActivityRates activity)
      throws SQLException {
    return binding
        .bind("cuts", SqlArrays.instants(connection, cuts))
        .bind("currencies", SqlArrays.array(connection, rates, CurrencyRates::currency))
        .bind("cpu_prices", SqlArrays.array(connection, rates, r -> r.rates().cpuPerCoreHour()))
        .bind("memory_prices", SqlArrays.array(connection, rates, r -> r.rates().memoryPerGbHour()))
        .bind(
            "storage_prices",
            SqlArrays.array(connection, rates, r -> r.rates().storagePerGbMonth()))
        .bind("held_ids", SqlArrays.array(connection, CurrencyRates.heldIds(rates), v -> v))
        .bind("held_keys", SqlArrays.array(connection, CurrencyRates.heldKeys(rates), v -> v))
        .bind("held_prices", SqlArrays.array(connection, CurrencyRates.heldPrices(rates), v -> v))
        .bind("activity_keys", SqlArrays.array(connection, ActivitySteps.keys(activity), v -> v))
        .bind(
            "activity_factors",
            SqlArrays.array(connection, ActivitySteps.factors(activity), v -> v))
        .bind("cpu_type", UsageUnit.CPU.resourceType())
        .bind("cpu_unit", UsageUnit.CPU.label())
        .bind("memory_type", UsageUnit.MEMORY.resourceType())
        .bind("memory_unit", UsageUnit.MEMORY.label())
        .bind("storage_type", UsageUnit.STORAGE.resourceType())
        .bind("storage_unit", UsageUnit.STORAGE.label());
  }
}
