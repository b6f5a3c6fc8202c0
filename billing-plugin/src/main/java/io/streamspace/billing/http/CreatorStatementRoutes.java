package io.streamspace.billing.http;

import io.streamspace.billing.catalog.share.Tier;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.store.sales.CreatorStatements;
import io.streamspace.billing.store.sales.StatementDocuments;
import io.streamspace.billing.store.sales.StoreRevenue;
import io.streamspace.billing.store.share.CreatorStatement;
import io.streamspace.billing.store.share.StatementLine;
import io.streamspace.common.db.Transactions;
import io.streamspace.common.http.ApiException;
import io.streamspace.common.http.QueryParams;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpResponse;
import io.streamspace.plugin.api.http.HttpRoutes;
import io.streamspace.plugin.api.http.HttpStatus;
import java.math.BigDecimal;
import java.sql.Connection;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * The money side of the add-on store: a creator's monthly statements ({@code GET
 * /creator/statements?period=YYYY-MM}, as JSON, CSV or PDF), and the platform admin's month of
 * revenue by creator with the popular items and packs ({@code GET /admin/store/revenue}).
 */
public final class CreatorStatementRoutes {

  private final DataSource dataSource;
  private final CreatorStatements statements;
  private final StoreRevenue revenue;
  private final Supplier<BillingConfig> config;
  private final Clock clock;

  public CreatorStatementRoutes(
      DataSource dataSource,
      CreatorStatements statements,
      StoreRevenue revenue,
      Supplier<BillingConfig> config,
      Clock clock) {
    this.dataSource = dataSource;
    this.statements = statements;
    this.revenue = revenue;
    this.config = config;
    this.clock = clock;
  }

  public void register(HttpRoutes routes) {
    routes.add(HttpMethod.GET, "/creator/statements", JsonRoute.of(this::statements));
    routes.add(HttpMethod.GET, "/admin/store/revenue", JsonRoute.of(this::revenue));
  }

  /** A line of a statement as the JSON shows it. */
  public record LineJson(
      String kind,
      String reference,
      Instant at,
      BigDecimal gross,
      BigDecimal platformShare,
      BigDecimal creatorShare,
      String tier) {

    static LineJson of(StatementLine line) {
      return new LineJson(
          line.kind(),
          line.reference(),
          line.at(),
          line.gross(),
          line.platformShare(),
          line.creatorShare(),
          line.tier().map(Tier::label).orElse(null));
    }
  }

  /** One currency's statement. */
  public record StatementJson(
      String currency,
      List<LineJson> lines,
      BigDecimal salesGross,
      BigDecimal refundsGross,
      BigDecimal platformShare,
      BigDecimal creatorShare,
      String tierReached,
      BigDecimal openingBalance,
      BigDecimal closingBalance,
      BigDecimal payout,
      BigDecimal carriedForward) {

    static StatementJson of(CreatorStatement s) {
      return new StatementJson(
          s.currency().getCurrencyCode(),
          s.lines().stream().map(LineJson::of).toList(),
          s.salesGross(),
          s.refundsGross(),
          s.platformShare(),
          s.creatorShare(),
          s.tierReached().isEmpty() ? null : s.tierReached(),
          s.openingBalance(),
          s.closingBalance(),
          s.payout(),
          s.carriedForward());
    }
  }

  /** The creator's statements of the month, one per currency with activity. */
  public record StatementsJson(
      String creatorId, String period, String timeZone, List<StatementJson> statements) {}

  /**
   * 200 with the caller's statements of {@code period} (default: the current month in the billing
   * zone), as JSON, or {@code format=csv} or {@code pdf} as an attachment; 403 without the creator
   * role; 400 naming {@code period} or {@code format}.
   */
  Object statements(HttpRequest request) throws Exception {
    Caller caller = Access.authenticated(request);
    if (!caller.hasRole(Caller.ROLE_CREATOR)) {
      throw ApiException.forbidden("the creator role is required");
    }
    ZoneId zone = config.get().billingTimeZone();
    YearMonth month = period(request, zone);
    String format = QueryParams.of(request, "format").orElse("json");
    if (!List.of("json", "csv", "pdf").contains(format)) {
      throw ApiException.badParameter("format", "format must be json, csv or pdf");
    }
    List<CreatorStatement> found =
        Transactions.inTransaction(
            dataSource, (Connection c) -> statements.of(c, caller.userId(), month));
    String file = "statement-" + month + "-" + caller.userId().replaceAll("[^A-Za-z0-9._-]", "_");
    return switch (format) {
      case "csv" ->
          attachment("text/csv; charset=utf-8", StatementDocuments.csv(found), file + ".csv");
      case "pdf" ->
          attachment(
              "application/pdf",
              StatementDocuments.pdf(caller.userId(), month, found, zone),
              file + ".pdf");
      default ->
          new StatementsJson(
              caller.userId(),
              month.toString(),
              zone.getId(),
              found.stream().map(StatementJson::of).toList());
    };
  }

  /**
   * 200 with the store's month ({@code period}, default the current one): revenue by creator and
   * currency, popular items and packs; platform admin; 400 naming {@code period}.
   */
  StoreRevenue.Revenue revenue(HttpRequest request) throws Exception {
    Access.admin(request);
    ZoneId zone = config.get().billingTimeZone();
    YearMonth month = period(request, zone);
    return Transactions.inTransaction(dataSource, (Connection c) -> revenue.of(c, month, zone));
  }

  private YearMonth period(HttpRequest request, ZoneId zone) {
    String period =
        QueryParams.of(request, "period").orElse(YearMonth.now(clock.withZone(zone)).toString());
    return Months.parse(period, "period");
  }

  private static HttpResponse attachment(String contentType, byte[] body, String fileName) {
    return HttpResponse.of(
        HttpStatus.OK,
        contentType,
        body,
        Map.of("Content-Disposition", "attachment; filename=\"" + fileName + "\""));
  }
}
