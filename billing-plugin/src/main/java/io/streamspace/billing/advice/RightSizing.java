package io.streamspace.billing.advice;

import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.money.UsageUnit;
import io.streamspace.common.db.Sql;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.sql.DataSource;

/**
 * Right-sizing: the resources an organization's sessions used well below what they held, from
 * what the platform reported they used ({@code "used"} on session events, kept as each activity
 * step's {@code used} in {@code billing_session_activity}). The {@link Advisor} prices each
 * {@link Fit} by the what-if ({@link io.streamspace.billing.invoicing.Repricing#resized}).
 *
 * <p><b>The figures, from stored rows.</b> Each session of the organization in {@code [from,
 * to)} is cut, from its start (or {@code from}) to its end (or {@code to}, or now while it runs),
 * at its size steps ({@code billing_session_sizes}: {@code cpu_cores}, {@code memory_gb}), held
 * meter steps ({@code billing_session_held}) and activity steps. A span in which a step reports
 * a figure for a resource the session holds is a sample of that figure, weighted by its length;
 * a step without one reports nothing for that span. The p95 is time-weighted: the smallest
 * reported figure that the samples at or below it cover at least 95 % of the reported time. The
 * suggested size is that p95 rounded up to the next whole unit (at least 1).
 *
 * <p><b>Only what can be priced exactly.</b> The what-if scales a resource's recorded usage by
 * suggested ÷ held, which is what sessions of the suggested size would have recorded only when
 * every session of the organization that held the resource in the period held one size
 * throughout and reported its use. So a resource is advised when that holds and the suggested
 * size is below the size held; a session that reports no figure, or sizes that differ, leave the
 * resource out (nothing is advised rather than a figure that is not what the invoice code gives).
 */
public final class RightSizing {

  // the organization's sessions in the period, each with its size, held meter and activity steps
  // (those before the span too: the last of them holds at its start); an activity step without
  // figures comes as one row with a null key
  private static final NamedSql STEPS =
      NamedSql.of(
          """
          WITH s AS (
            SELECT session_id, greatest(started_at, :from) AS from_at,
                   least(coalesce(ended_at, :now), :to) AS to_at
            FROM billing_sessions
            WHERE org_id = :org_id AND started_at < :to AND coalesce(ended_at, :now) > :from)
          SELECT s.session_id, s.from_at, s.to_at, true AS held, z.effective_from, k.key, k.amount
          FROM s JOIN billing_session_sizes z
            ON z.session_id = s.session_id AND z.effective_from < s.to_at
          CROSS JOIN LATERAL (VALUES ('cpu_cores', z.cpu_cores), ('memory_gb', z.memory_gb))
            k (key, amount)
          UNION ALL
          SELECT s.session_id, s.from_at, s.to_at, true, h.effective_from, h.meter_id, h.amount
          FROM s JOIN billing_session_held h
            ON h.session_id = s.session_id AND h.effective_from < s.to_at
          UNION ALL
          SELECT s.session_id, s.from_at, s.to_at, false, a.effective_from, u.key,
                 u.value::numeric
          FROM s JOIN billing_session_activity a
            ON a.session_id = s.session_id AND a.effective_from < s.to_at
          LEFT JOIN LATERAL jsonb_each_text(a.used) u ON true
          ORDER BY 1, 5""");

  private static final BigDecimal P95 = new BigDecimal("0.95");

  /**
   * A resource the sessions could hold less of: "your sessions used at most {@code p95Used} of
   * their {@code held} (p95); at {@code suggested}…".
   *
   * @param meter {@code cpu_cores}, {@code memory_gb} or a held meter's id
   */
  public record Fit(String meter, BigDecimal held, BigDecimal p95Used, BigDecimal suggested) {

    /** The recorded usage this resizes: cpu, memory or the held meter's. */
    public UsageUnit unit() {
      return switch (meter) {
        case "cpu_cores" -> UsageUnit.CPU;
        case "memory_gb" -> UsageUnit.MEMORY;
        default -> UsageUnit.held(meter);
      };
    }
  }

  /**
   * A {@link Fit} priced: "at {@code suggested} the period would have cost {@code saving} less".
   */
  public record Size(
      String meter, BigDecimal held, BigDecimal p95Used, BigDecimal suggested, BigDecimal saving) {}

  private final DataSource dataSource;
  private final Clock clock;

  public RightSizing(DataSource dataSource, Clock clock) {
    this.dataSource = dataSource;
    this.clock = clock;
  }

  /** One session's steps: its span, what it held and what it reported, by resource. */
  private static final class Steps {
    Instant from;
    Instant to;
    final Map<String, TreeMap<Instant, BigDecimal>> held = new HashMap<>();
    final TreeMap<Instant, Map<String, BigDecimal>> used = new TreeMap<>();
  }

  /** The resources to advise for the organization's sessions of {@code [from, to)}, by name. */
  public List<Fit> of(String orgId, Instant from, Instant to) throws Exception {
    Map<String, Steps> sessions = new TreeMap<>();
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement =
            STEPS
                .bind("org_id", orgId)
                .bind("from", from)
                .bind("to", to)
                .bind("now", clock.instant())
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        Steps steps = sessions.computeIfAbsent(rs.getString(1), id -> new Steps());
        steps.from = Sql.instant(rs.getTimestamp(2));
        steps.to = Sql.instant(rs.getTimestamp(3));
        Instant at = Sql.instant(rs.getTimestamp(5)); // a step before the span holds at its start
        String key = rs.getString(6);
        if (rs.getBoolean(4)) {
          steps.held.computeIfAbsent(key, k -> new TreeMap<>()).put(at, rs.getBigDecimal(7));
        } else {
          Map<String, BigDecimal> figures = steps.used.computeIfAbsent(at, t -> new HashMap<>());
          if (key != null) {
            figures.put(key, rs.getBigDecimal(7));
          }
        }
      }
    }
    return fits(sessions.values());
  }

  /** The samples of one resource over all sessions, and whether it can be advised. */
  private static final class Resource {
    final TreeMap<BigDecimal, Long> seconds = new TreeMap<>(); // reported figure → its seconds
    final TreeSet<BigDecimal> sizes = new TreeSet<>();
    boolean unreported;
  }

  private static List<Fit> fits(Iterable<Steps> sessions) {
    Map<String, Resource> resources = new TreeMap<>();
    for (Steps steps : sessions) {
      TreeSet<Instant> cuts = new TreeSet<>(steps.used.keySet());
      steps.held.values().forEach(h -> cuts.addAll(h.keySet()));
      cuts.add(steps.from);
      cuts.add(steps.to);
      Map<String, Boolean> reported = new HashMap<>();
      Instant start = null;
      for (Instant cut : cuts.tailSet(steps.from, true).headSet(steps.to, true)) {
        if (start != null) {
          sample(steps, start, Duration.between(start, cut).toSeconds(), resources, reported);
        }
        start = cut;
      }
      reported.forEach((key, any) -> resources.get(key).unreported |= !any);
    }
    List<Fit> fits = new ArrayList<>();
    resources.forEach(
        (key, resource) -> {
          if (resource.unreported || resource.sizes.size() != 1 || resource.seconds.isEmpty()) {
            return;
          }
          BigDecimal held = resource.sizes.first();
          BigDecimal p95 = p95(resource.seconds);
          BigDecimal suggested = p95.setScale(0, RoundingMode.CEILING).max(BigDecimal.ONE);
          if (suggested.compareTo(held) < 0) {
            fits.add(new Fit(key, held.stripTrailingZeros(), p95, suggested));
          }
        });
    return fits;
  }

  /** The span of {@code seconds} from {@code start}: what each resource held, what it used. */
  private static void sample(
      Steps steps,
      Instant start,
      long seconds,
      Map<String, Resource> resources,
      Map<String, Boolean> reported) {
    Map.Entry<Instant, Map<String, BigDecimal>> step = steps.used.floorEntry(start);
    Map<String, BigDecimal> figures = step == null ? Map.of() : step.getValue();
    steps.held.forEach(
        (key, amounts) -> {
          Map.Entry<Instant, BigDecimal> amount = amounts.floorEntry(start);
          if (amount == null || amount.getValue().signum() == 0 || seconds == 0) {
            return;
          }
          Resource resource = resources.computeIfAbsent(key, k -> new Resource());
          resource.sizes.add(amount.getValue().stripTrailingZeros());
          BigDecimal used = figures.get(key);
          reported.merge(key, used != null, Boolean::logicalOr);
          if (used != null) {
            resource.seconds.merge(used.stripTrailingZeros(), seconds, Long::sum);
          }
        });
  }

  /** The smallest figure whose samples at or below it cover ≥ 95 % of the reported time. */
  private static BigDecimal p95(TreeMap<BigDecimal, Long> seconds) {
    BigDecimal total = BigDecimal.valueOf(seconds.values().stream().mapToLong(s -> s).sum());
    BigDecimal needed = total.multiply(P95);
    long covered = 0;
    for (Map.Entry<BigDecimal, Long> figure : seconds.entrySet()) {
      covered += figure.getValue();
      if (BigDecimal.valueOf(covered).compareTo(needed) >= 0) {
        return figure.getKey();
      }
    }
    return seconds.lastKey();
  }
}
