package io.streamspace.billing.http;

import io.streamspace.billing.analytics.AnalyticsSnapshots;
import io.streamspace.billing.analytics.Cohorts;
import io.streamspace.billing.analytics.MonthFigures;
import io.streamspace.billing.analytics.MrrMovements;
import io.streamspace.billing.analytics.Receivables;
import io.streamspace.billing.analytics.RevenueAnalytics;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.reports.ReportFormat;
import io.streamspace.common.http.ApiException;
import io.streamspace.common.http.QueryParams;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpResponse;
import io.streamspace.plugin.api.http.HttpRoutes;
import io.streamspace.plugin.api.http.HttpStatus;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.commons.csv.CSVPrinter;

/**
 * The subscription business's figures for the platform admin: {@code GET /admin/analytics} per
 * month and currency, MRR and its movements, churn, conversion and ARPA, each with its formula
 * ({@link MrrMovements}), and the receivables by age ({@link Receivables}); JSON or CSV (the
 * months).
 */
public final class AnalyticsRoutes {

  /** The longest range asked at once: ten years of months. */
  static final int MAX_MONTHS = 120;

  private static final List<String> CSV_COLUMNS =
      List.of(
          "month",
          "currency",
          "mrr",
          "new_mrr",
          "expansion_mrr",
          "contraction_mrr",
          "churned_mrr",
          "reactivation_mrr",
          "logo_churn_rate",
          "revenue_churn_rate",
          "conversion_rate",
          "arpa",
          "paying_at_start",
          "paying_at_end",
          "churned_organizations",
          "free_at_start",
          "converted");

  private final RevenueAnalytics analytics;
  private final Cohorts cohorts;
  private final AnalyticsSnapshots snapshots;
  private final Receivables receivables;
  private final Supplier<BillingConfig> config;
  private final Clock clock;

  public AnalyticsRoutes(
      RevenueAnalytics analytics,
      Cohorts cohorts,
      AnalyticsSnapshots snapshots,
      Receivables receivables,
      Supplier<BillingConfig> config,
      Clock clock) {
    this.analytics = analytics;
    this.cohorts = cohorts;
    this.snapshots = snapshots;
    this.receivables = receivables;
    this.config = config;
    this.clock = clock;
  }

  public void register(HttpRoutes routes) {
    routes.add(HttpMethod.GET, "/admin/analytics", JsonRoute.of(this::analytics));
  }

  /**
   * The answer: the range, the instant it is of, each month's figures per currency, the
   * formulas, the conversion of the organizations opened in those months, and what is owed by
   * age.
   */
  public record Analytics(
      String from,
      String to,
      Instant asOf,
      List<MonthFigures> months,
      Map<String, String> definitions,
      List<Cohorts.Cohort> cohorts,
      List<Receivables.Bucket> receivables) {}

  /**
   * 200 with the months {@code from} to {@code to} (both {@code YYYY-MM}, included; by default
   * the last twelve, this one last) in the billing time zone; {@code format=csv} as CSV; 400
   * naming {@code from}, {@code to} or {@code format}; platform admin. A range inside the last
   * twelve months is answered from their snapshot ({@link AnalyticsSnapshots}), any other is
   * computed now; {@code as_of} says which instant the figures, cohorts and receivables are of.
   */
  Object analytics(HttpRequest request) throws Exception {
    Access.admin(request);
    ZoneId zone = config.get().billingTimeZone();
    YearMonth thisMonth = YearMonth.now(clock.withZone(zone));
    YearMonth to = month(request, "to", thisMonth);
    YearMonth from = month(request, "from", to.minusMonths(11));
    long months = from.until(to, ChronoUnit.MONTHS) + 1;
    if (months < 1 || months > MAX_MONTHS) {
      throw ApiException.badParameter(
          "from", "from must be a month at most " + MAX_MONTHS + " months before to, or to itself");
    }
    ReportFormat format =
        ReportFormat.named(QueryParams.of(request, "format").orElse("json"))
            .orElseThrow(() -> ApiException.badParameter("format", "format must be json or csv"));
    Instant now = clock.instant();
    Optional<AnalyticsSnapshots.Snapshot> kept =
        AnalyticsSnapshots.kept(from, to, zone, now)
            ? Optional.of(snapshots.current(zone, now))
            : Optional.empty();
    List<MonthFigures> figures =
        kept.isPresent() ? kept.get().months(from, to) : analytics.months(from, to, zone);
    if (format == ReportFormat.JSON) {
      return new Analytics(
          from.toString(),
          to.toString(),
          kept.map(AnalyticsSnapshots.Snapshot::at).orElse(now),
          figures,
          MrrMovements.DEFINITIONS,
          kept.isPresent() ? kept.get().cohorts(from, to) : cohorts.of(from, to, zone),
          kept.isPresent() ? kept.get().receivables() : receivables.aged(now));
    }
    return HttpResponse.streamed(
        HttpStatus.OK,
        ReportFormat.CSV.contentType(),
        Map.of("Content-Disposition", "attachment; filename=\"analytics.csv\""),
        out -> {
          CSVPrinter printer = ReportFormat.csvPrinter(out, CSV_COLUMNS);
          for (MonthFigures m : figures) {
            printer.printRecord(
                m.month(),
                m.currency(),
                plain(m.mrr()),
                plain(m.newMrr()),
                plain(m.expansionMrr()),
                plain(m.contractionMrr()),
                plain(m.churnedMrr()),
                plain(m.reactivationMrr()),
                plain(m.logoChurnRate()),
                plain(m.revenueChurnRate()),
                plain(m.conversionRate()),
                plain(m.arpa()),
                m.payingAtStart(),
                m.payingAtEnd(),
                m.churnedOrganizations(),
                m.freeAtStart(),
                m.converted());
          }
          printer.close(true);
        });
  }

  private static YearMonth month(HttpRequest request, String name, YearMonth otherwise)
      throws ApiException {
    String value = QueryParams.of(request, name).orElse(null);
    return value == null ? otherwise : Months.parse(value, name);
  }

  private static String plain(BigDecimal value) {
    return value == null ? "" : value.toPlainString();
  }
}
