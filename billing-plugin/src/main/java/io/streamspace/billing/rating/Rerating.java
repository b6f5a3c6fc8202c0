package io.streamspace.billing.rating;

import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
import io.streamspace.common.db.Sql;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Rates ranges of time again from steps the caller gives (a correction's corrected history),
 * writing nothing: the usage each slice of those ranges would get, cut and priced by the very
 * text calculate-usage rates with ({@link SliceUsage}: the same slices, the same storage-only
 * spans of a held organization or a hibernated session, the same activity prices), at the rates
 * in effect. What a correction adds to or takes from a slice is then the difference between this
 * and what was rated.
 */
public final class Rerating {

  /**
   * A subject rated again over {@code [from, to)}: a session, or an organization's storage
   * (session id {@code ""}). Its slices are cut from {@code from} on, as calculate-usage cuts them
   * from a watermark: {@code from} is a cut, or where the subject's time starts.
   */
  public record Subject(
      String orgId, String sessionId, String currency, Instant from, Instant to) {}

  /**
   * One step of a subject's corrected history, held from {@code start} to {@code end} (null: on):
   * a session's size (cpu and memory), an organization's storage level (on its subject {@code
   * ""}), or a session's amount of a held meter.
   */
  public record Step(
      String orgId,
      String sessionId,
      Instant start,
      Instant end,
      BigDecimal cpuCores,
      BigDecimal memoryGb,
      BigDecimal storageGb,
      String heldId,
      BigDecimal heldAmount) {}

  /** A slice's usage of a resource, as a usage record would hold it, in its subject's currency. */
  public record RatedSlice(
      String orgId,
      String sessionId,
      String resourceType,
      String activity,
      Instant sliceStart,
      Instant sliceEnd,
      BigDecimal unitSeconds,
      String unit,
      BigDecimal unitPrice,
      BigDecimal fullPrice,
      String currency) {}

  private static final NamedSql RATE_AGAIN =
      NamedSql.of(
          """
          WITH moved AS MATERIALIZED (
            SELECT * FROM unnest(:subject_org::text[], :subject_session::text[],
                                 :subject_currency::text[], :subject_from::text[]::timestamptz[],
                                 :subject_to::text[]::timestamptz[])
              AS t(user_id, session_id, currency, from_t, rate_to)
          ),
          -- the caller's steps, each with its subject's range, as RATE's steps are
          steps AS NOT MATERIALIZED (
            SELECT t.user_id, t.session_id, t.currency, t.from_t, t.rate_to, g.step_start,
                   g.step_end, g.cpu_cores, g.memory_gb, g.storage_gb, g.held_id, g.held_amount
            FROM unnest(:step_org::text[], :step_session::text[],
                        :step_start::text[]::timestamptz[], :step_end::text[]::timestamptz[],
                        :step_cpu::text[]::numeric[], :step_memory::text[]::numeric[],
                        :step_storage::text[]::numeric[], :step_held::text[],
                        :step_amount::text[]::numeric[])
              AS g(user_id, session_id, step_start, step_end, cpu_cores, memory_gb, storage_gb,
                   held_id, held_amount)
            JOIN moved t ON t.user_id = g.user_id AND t.session_id = g.session_id
            WHERE g.held_id IS NULL OR g.held_id = ANY (:held_ids::text[])
          ),
          %s
          SELECT user_id, session_id, resource_type, activity, slice_start, max(slice_end),
                 sum(unit_seconds), unit, min(unit_price), min(full_price), currency
          FROM priced
          GROUP BY user_id, session_id, currency, slice_start, resource_type, unit, activity"""
              .formatted(SliceUsage.fromSteps("")));

  private Rerating() {}

  /**
   * The usage of each slice of the subjects' ranges under their steps, at the rates {@code
   * config} gives their currencies, in the caller's transaction.
   *
   * @throws IllegalArgumentException when a subject's currency has no rates
   */
  public static List<RatedSlice> rate(
      Connection connection, BillingConfig config, List<Subject> subjects, List<Step> steps)
      throws SQLException {
    if (subjects.isEmpty()) {
      return List.of();
    }
    List<CurrencyRates> rates = CurrencyRates.of(config);
    for (Subject subject : subjects) {
      if (rates.stream().noneMatch(r -> r.currency().equals(subject.currency()))) {
        throw new IllegalArgumentException("no rates in " + subject.currency());
      }
    }
    Instant from = subjects.stream().map(Subject::from).min(Comparator.naturalOrder()).get();
    Instant to = subjects.stream().map(Subject::to).max(Comparator.naturalOrder()).get();
    NamedSql.Binding binding =
        RATE_AGAIN
            .bind("subject_org", SqlArrays.array(connection, subjects, Subject::orgId))
            .bind("subject_session", SqlArrays.array(connection, subjects, Subject::sessionId))
            .bind("subject_currency", SqlArrays.array(connection, subjects, Subject::currency))
            .bind("subject_from", SqlArrays.array(connection, subjects, Subject::from))
            .bind("subject_to", SqlArrays.array(connection, subjects, Subject::to))
            .bind("step_org", SqlArrays.array(connection, steps, Step::orgId))
            .bind("step_session", SqlArrays.array(connection, steps, Step::sessionId))
            .bind("step_start", SqlArrays.array(connection, steps, Step::start))
            .bind("step_end", SqlArrays.array(connection, steps, Step::end))
            .bind("step_cpu", SqlArrays.array(connection, steps, Step::cpuCores))
            .bind("step_memory", SqlArrays.array(connection, steps, Step::memoryGb))
            .bind("step_storage", SqlArrays.array(connection, steps, Step::storageGb))
            .bind("step_held", SqlArrays.array(connection, steps, Step::heldId))
            .bind("step_amount", SqlArrays.array(connection, steps, Step::heldAmount));
    List<RatedSlice> slices = new ArrayList<>();
    try (PreparedStatement statement =
            SliceUsage.bind(
                    binding,
                    connection,
                    RunCuts.of(new SliceCuts(config.billingTimeZone()), from, to).all(),
                    rates,
                    config.activityRates())
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        slices.add(
            new RatedSlice(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                Sql.instant(rs.getTimestamp(5)),
                Sql.instant(rs.getTimestamp(6)),
                rs.getBigDecimal(7),
                rs.getString(8),
                rs.getBigDecimal(9),
                rs.getBigDecimal(10),
                rs.getString(11)));
      }
    }
    return slices;
  }
}
