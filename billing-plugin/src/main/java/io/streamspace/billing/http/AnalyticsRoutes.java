package io.streamspace.billing.http;

import static io.streamspace.billing.http.Schema.array;
import static io.streamspace.billing.http.Schema.integer;
import static io.streamspace.billing.http.Schema.number;
import static io.streamspace.billing.http.Schema.object;
import static io.streamspace.billing.http.Schema.string;

import io.streamspace.billing.analytics.AnalyticsSnapshots;
import io.streamspace.billing.analytics.Cohorts;
import io.streamspace.billing.analytics.MonthFigures;
import io.streamspace.billing.analytics.MrrMovements;
import io.streamspace.billing.analytics.Receivables;
import io.streamspace.billing.analytics.RevenueAnalytics;
import io.streamspace.billing.analytics.TrialConversions;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.reports.ReportFormat;
import io.streamspace.common.http.ApiException;
import io.streamspace.common.http.QueryParams;
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpResponse;
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

  // the bodies and answers of these routes

  static final Schema MONTH_FIGURES =
      Schema.component(
          "MonthFigures",
          object()
              .description(
                  """
                  A month's subscription figures in one currency; each formula is in \
                  `definitions`.""")
              .req("month", string().description("YYYY-MM in the billing time zone"))
              .req("currency", string())
              .req("mrr", number())
              .req("new_mrr", number())
              .req("expansion_mrr", number())
              .req("contraction_mrr", number())
              .req("churned_mrr", number())
              .req("reactivation_mrr", number())
              .req(
                  "logo_churn_rate",
                  number()
                      .orNull()
                      .description("0 to 1, four decimals; null when none paid at the start"))
              .req(
                  "revenue_churn_rate",
                  number()
                      .orNull()
                      .description("four decimals; null when the MRR at the start was 0"))
              .req(
                  "conversion_rate",
                  number()
                      .orNull()
                      .description("free to paid, four decimals; null when none could convert"))
              .req("arpa", number().orNull().description("null when none pays at the end"))
              .req("paying_at_start", integer())
              .req("paying_at_end", integer())
              .req("churned_organizations", integer())
              .req("free_at_start", integer())
              .req("converted", integer())
              .req(
                  "credit_notes",
                  number()
                      .description(
                          """
                          what the credit notes of the invoices whose period starts in the month \
                          gave back, tax included, whenever issued"""))
              .req(
                  "plan_fee_credit_notes",
                  number().description("their part that credited plan fees, before tax"))
              .req(
                  "net_mrr",
                  number().description("mrr − plan_fee_credit_notes: MRR net of credit notes")));

  static final Schema COHORT =
      Schema.component(
          "Cohort",
          object()
              .req(
                  "cohort",
                  string()
                      .description(
                          """
                          YYYY-MM: the month its organizations opened (first plan term), billing \
                          time zone"""))
              .req("currency", string())
              .req("organizations", integer())
              .req("converted", integer().description("ever on a paid plan since"))
              .req(
                  "upgraded",
                  integer().description("moved from a paid plan to a dearer one at some time"))
              .req(
                  "conversion_rate",
                  number().orNull().description("converted ÷ organizations, four decimals"))
              .req(
                  "upgrade_rate",
                  number()
                      .orNull()
                      .description(
                          """
                          upgraded ÷ converted, four decimals; null when none converted""")));

  static final Schema RECEIVABLES_BUCKET =
      Schema.component(
          "ReceivablesBucket",
          object()
              .req("currency", string())
              .req(
                  "bucket",
                  string()
                      .enumOf("not_due", "1_30", "31_60", "61_90", "over_90")
                      .description("whole days past due, a second past due counting as day 1"))
              .req("invoices", integer())
              .req("total", number()));

  static final Schema TRIAL_MONTH =
      Schema.component(
          "TrialMonth",
          object()
              .req("month", string().description("YYYY-MM in the billing time zone"))
              .req("plan_id", string())
              .req("started", integer().description("trials of the plan begun in the month"))
              .req(
                  "converted",
                  integer().description("of the trials ended in the month, those that converted"))
              .req("lapsed", integer().description("… that fell back to the default plan"))
              .req("changed", integer().description("… ended early by a change of plan"))
              .req(
                  "conversion_rate",
                  number()
                      .orNull()
                      .description(
                          """
                          converted ÷ (converted + lapsed + changed), four decimals; null when \
                          none ended""")));

  static final Schema ANALYTICS =
      Schema.component(
          "Analytics",
          object()
              .req("from", string())
              .req("to", string())
              .req(
                  "as_of",
                  string()
                      .format("date-time")
                      .description(
                          """
                          the instant the months, cohorts and receivables are of: the last twelve \
                          months' snapshot's (taken by refresh-dashboard every 5 minutes, or by \
                          the request when it is over 10 minutes old), or the request's for a \
                          range reaching further back"""))
              .req("months", array(MONTH_FIGURES))
              .req(
                  "definitions",
                  object()
                      .additionalProperties(string())
                      .description("each figure's formula, in words"))
              .req(
                  "receivables",
                  array(RECEIVABLES_BUCKET)
                      .description(
                          """
                          what is owed at as_of (sent and overdue invoices) by age, per currency; \
                          buckets with no invoice left out"""))
              .req(
                  "cohorts",
                  array(COHORT)
                      .description(
                          """
                          the organizations opened in each month of the range, as they stand \
                          now"""))
              .req(
                  "trials",
                  array(TRIAL_MONTH)
                      .description(
                          """
                          conversion from trial: per month of the range and plan, the trials \
                          begun and how those that ended then ended; read at the request""")));

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
          "converted",
          "credit_notes",
          "plan_fee_credit_notes",
          "net_mrr");

  private static final List<String> TRIAL_CSV_COLUMNS =
      List.of("month", "plan_id", "started", "converted", "lapsed", "changed", "conversion_rate");

  private final RevenueAnalytics analytics;
  private final Cohorts cohorts;
  private final AnalyticsSnapshots snapshots;
  private final Receivables receivables;
  private final TrialConversions trials;
  private final Supplier<BillingConfig> config;
  private final Clock clock;

  public AnalyticsRoutes(
      RevenueAnalytics analytics,
      Cohorts cohorts,
      AnalyticsSnapshots snapshots,
      Receivables receivables,
      TrialConversions trials,
      Supplier<BillingConfig> config,
      Clock clock) {
    this.analytics = analytics;
    this.cohorts = cohorts;
    this.snapshots = snapshots;
    this.receivables = receivables;
    this.trials = trials;
    this.config = config;
    this.clock = clock;
  }

  public void register(DescribedRoutes routes) {
    routes.add(ANALYTICS_ROUTE, JsonRoute.of(this::analytics));
  }

  /**
   * The answer: the range, the instant it is of, each month's figures per currency, the
   * formulas, the conversion of the organizations opened in those months, what is owed by age,
   * and the conversion from trial per month and plan.
   */
  public record Analytics(
      String from,
      String to,
      Instant asOf,
      List<MonthFigures> months,
      Map<String, String> definitions,
      List<Cohorts.Cohort> cohorts,
      List<Receivables.Bucket> receivables,
      List<TrialConversions.Month> trials) {}

  static final Operation ANALYTICS_ROUTE =
      Operation.get("/admin/analytics")
          .admin()
          .summary("MRR and its movements, churn, conversion and ARPA, per month")
          .description(
              """
              Who: admin.

              `?from=YYYY-MM&to=YYYY-MM` (both included, at most 120 months; by default the last \
              twelve, this one last), in the billing time zone → \
              `{"from","to","months":[{"month","currency","mrr","new_mrr","expansion_mrr","contract\
              ion_mrr","churned_mrr","reactivation_mrr","logo_churn_rate","revenue_churn_rate","con\
              version_rate","arpa",…,"credit_notes","plan_fee_credit_notes","net_mrr"}],"defin\
              itions":{"<figure>":"<formula in words>"}}`: per \
              month and currency (from the month its first organization opened), from the plan \
              terms recorded, each organization's MRR compared at the month's first instant and \
              the next month's; a plan's fee is MRR only where the billing mode then charged it \
              (subscription, hybrid; not usage), as the audit trail's config changes say, net of \
              the discount of a coupon redeemed for the plan whose periods hold the instant. \
              `credit_notes`: what the credit notes of the invoices whose period starts in the \
              month gave back; `net_mrr` = `mrr` − what they gave back of plan fees \
              (`plan_fee_credit_notes`). \
              `cohorts`: per month of the range and currency, the organizations opened then, how \
              many have ever paid (`converted`, `conversion_rate`) and how many of those moved \
              from a paid plan to a dearer one (`upgraded`, `upgrade_rate`). `receivables`: what \
              customers owe now, the invoices sent or overdue per currency in buckets of days \
              past due (`not_due`, `1_30`, `31_60`, `61_90`, `over_90`, each with `invoices` and \
              `total`). `trials`: per month of the range and plan, the trials begun \
              (`started`) and, of those that ended in the month, how many `converted`, `lapsed` \
              to the default plan or `changed` plan early, with `conversion_rate` = converted ÷ \
              those ended (read at the request). `format=csv`: the months' rows as CSV; with \
              `table=trials`, the trials' rows (`month,plan_id,started,converted,lapsed,changed,\
              conversion_rate`). 400 naming `from`, `to`, `format` or `table`.""")
          .params(
              Param.query("from", string()),
              Param.query("to", string()),
              Param.query("format", string().enumOf("json", "csv")),
              Param.query("table", string().enumOf("months", "trials")))
          .answers(200, Response.of("OK").json(ANALYTICS).content("text/csv", string()))
          .errors(400);

  /**
   * 200 with the months {@code from} to {@code to} (both {@code YYYY-MM}, included; by default
   * the last twelve, this one last) in the billing time zone; {@code format=csv} as CSV, the
   * months' rows or with {@code table=trials} the trials'; 400 naming {@code from}, {@code to},
   * {@code format} or {@code table}; platform admin. A range inside the last
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
    String table = QueryParams.of(request, "table").orElse("months");
    if (!List.of("months", "trials").contains(table)) {
      throw ApiException.badParameter("table", "table must be months or trials");
    }
    if (format == ReportFormat.CSV && table.equals("trials")) {
      return trialsCsv(trials.of(from, to, zone));
    }
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
          kept.isPresent() ? kept.get().receivables() : receivables.aged(now),
          trials.of(from, to, zone));
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
                m.converted(),
                plain(m.creditNotes()),
                plain(m.planFeeCreditNotes()),
                plain(m.netMrr()));
          }
          printer.close(true);
        });
  }

  /** The trials' rows, per month and plan, as CSV (read at the request, as in the JSON). */
  private static Object trialsCsv(List<TrialConversions.Month> months) {
    return HttpResponse.streamed(
        HttpStatus.OK,
        ReportFormat.CSV.contentType(),
        Map.of("Content-Disposition", "attachment; filename=\"analytics-trials.csv\""),
        out -> {
          CSVPrinter printer = ReportFormat.csvPrinter(out, TRIAL_CSV_COLUMNS);
          for (TrialConversions.Month m : months) {
            printer.printRecord(
                m.month(),
                m.planId(),
                m.started(),
                m.converted(),
                m.lapsed(),
                m.changed(),
                plain(m.conversionRate()));
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
