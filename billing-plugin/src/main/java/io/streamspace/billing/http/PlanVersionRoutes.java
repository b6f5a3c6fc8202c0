package io.streamspace.billing.http;

import static io.streamspace.billing.http.Schema.array;
import static io.streamspace.billing.http.Schema.integer;
import static io.streamspace.billing.http.Schema.number;
import static io.streamspace.billing.http.Schema.object;
import static io.streamspace.billing.http.Schema.string;

import io.streamspace.billing.analytics.PlanFeeModes;
import io.streamspace.billing.catalog.SubscriptionPlan;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.money.Money;
import io.streamspace.billing.plans.PlanMigration;
import io.streamspace.billing.plans.PlanMigrations;
import io.streamspace.billing.planversions.PlanVersion;
import io.streamspace.billing.planversions.PlanVersionTerms;
import io.streamspace.billing.planversions.PlanVersions;
import io.streamspace.billing.planversions.PlanVersions.Holding;
import io.streamspace.common.http.ApiException;
import io.streamspace.plugin.api.http.HttpRequest;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * {@code GET /admin/plans/{id}/versions}: a plan's versions with their terms, how many
 * organizations are on each and their MRR, and the plan's migrations.
 */
public final class PlanVersionRoutes {

  // the bodies and answers of these routes

  static final Schema PLAN_MIGRATION =
      Schema.component(
          "PlanMigration",
          object()
              .req("id", integer())
              .req("plan_id", string())
              .req("from_version", integer())
              .req("to_version", integer())
              .req(
                  "effective_at",
                  string().format("date-time").description("when its organizations move"))
              .req("notice_days", integer())
              .req(
                  "notice_at",
                  string()
                      .format("date-time")
                      .description("notice_days before effective_at: from then each is told"))
              .req("status", string().enumOf("scheduled", "applied", "cancelled"))
              .req("reason", string())
              .req("created_by", string())
              .req("created_at", string().format("date-time"))
              .req("cancelled_at", string().orNull().format("date-time"))
              .req("cancelled_by", string().orNull())
              .req("applied_at", string().orNull().format("date-time"))
              .req("moved", integer().description("organizations moved so far")));

  static final Schema PLAN_VERSIONS =
      Schema.component(
          "PlanVersions",
          object()
              .req("plan_id", string())
              .req("plan_name", string())
              .req("billing_mode", string())
              .req("latest_version", integer())
              .req(
                  "versions",
                  array(
                          object()
                              .req("version", integer())
                              .req("name", string().description("the plan's name when it was made"))
                              .req(
                                  "created_at",
                                  string()
                                      .orNull()
                                      .format("date-time")
                                      .description(
                                          """
                                      null for a version 1 not stored yet: the plan as \
                                      configured, before the config's first change""")))
                      .req("created_by", string().orNull())
                      .req("reason", string().orNull())
                      .req("interval", string().enumOf("month", "year"))
                      .req(
                          "prices",
                          array(object().req("currency", string()).req("price", number())))
                      .req(
                          "limits",
                          array(
                              object()
                                  .req("meter", string())
                                  .req("limit", number().orNull())
                                  .req(
                                      "kind",
                                      string()
                                          .orNull()
                                          .description(
                                              "hard, soft; null: the billing mode's default"))))
                      .req("organizations", integer().description("open organizations on it now"))
                      .req(
                          "mrr",
                          array(
                              object()
                                  .req("currency", string())
                                  .req("organizations", integer())
                                  .req("mrr", number()))))
              .req("migrations", array(PLAN_MIGRATION)));

  /** The JSON body of the versions list. */
  record VersionsJson(
      String planId,
      String planName,
      String billingMode,
      int latestVersion,
      List<VersionJson> versions,
      List<PlanMigration> migrations) {}

  /** One version: its terms, and who is on it now. */
  record VersionJson(
      int version,
      String name,
      Instant createdAt,
      String createdBy,
      String reason,
      String interval,
      List<PriceJson> prices,
      List<LimitJson> limits,
      long organizations,
      List<MrrJson> mrr) {}

  record PriceJson(String currency, BigDecimal price) {}

  record LimitJson(String meter, BigDecimal limit, String kind) {}

  record MrrJson(String currency, long organizations, BigDecimal mrr) {}

  private final DataSource dataSource;
  private final PlanMigrations migrations;
  private final Supplier<BillingConfig> config;

  public PlanVersionRoutes(
      DataSource dataSource, PlanMigrations migrations, Supplier<BillingConfig> config) {
    this.dataSource = dataSource;
    this.migrations = migrations;
    this.config = config;
  }

  public void register(DescribedRoutes routes) {
    routes.add(VERSIONS, JsonRoute.of(this::versions));
  }

  static final Operation VERSIONS =
      Operation.get("/admin/plans/{id}/versions")
          .admin()
          .summary("A plan's versions, who is on each, and its migrations")
          .description(
              """
              Who: admin.

              Every version of the plan, oldest first: a config change that changes a plan's \
              terms (`price`, `prices`, `interval`, `limits` and the legacy `cpu_limit`, \
              `memory_limit`, `storage_limit`, the seats it includes among them) makes its next \
              version, in the transaction saving it; the first change since versions began keeps \
              the plan as configured until then as version 1 (until then version 1 is listed \
              from the config, `created_at` null). Each with its terms (`interval`, `prices` by \
              currency, `limits` by meter as the plan sets them: `kind` null is the billing \
              mode's default), `organizations`: the open organizations whose active plan term is \
              on it, and `mrr` per currency: Σ of their fees a month (a yearly plan's a twelfth) \
              as their terms keep them, 0 in `usage` mode (no plan fee is charged), with the \
              currency's decimals. `latest_version` is the one new organizations and plan \
              changes take. Then the plan's `migrations`, oldest first (`POST \
              /admin/plans/{id}/migrations`). 404 for a plan neither configured nor versioned.""")
          .params(Param.path("id", string()))
          .answers(200, PLAN_VERSIONS)
          .errors(404);

  /** 200 with the versions; 401/403 unless platform admin; 404 for an unknown plan. */
  VersionsJson versions(HttpRequest request) throws Exception {
    Access.admin(request);
    String planId = request.pathParam("id");
    BillingConfig current = config.get();
    List<PlanVersion> versions = PlanVersions.listed(dataSource, current, planId);
    if (versions.isEmpty()) {
      throw ApiException.notFound("no plan \"" + planId + "\"");
    }
    List<Holding> holdings = PlanVersions.holdings(dataSource, planId);
    boolean charged = PlanFeeModes.chargesPlanFee(current.billingMode());
    List<VersionJson> listed = new ArrayList<>();
    for (PlanVersion version : versions) {
      listed.add(versionJson(version, holdings, charged));
    }
    PlanVersion latest = versions.get(versions.size() - 1);
    return new VersionsJson(
        planId,
        current.plan(planId).map(SubscriptionPlan::name).orElse(latest.name()),
        current.billingMode().configName(),
        latest.version(),
        listed,
        migrations.of(planId));
  }

  private static VersionJson versionJson(
      PlanVersion version, List<Holding> holdings, boolean charged) {
    PlanVersionTerms terms = version.terms();
    List<PriceJson> prices = new ArrayList<>();
    terms
        .prices()
        .forEach(
            (code, price) ->
                prices.add(new PriceJson(code, Money.shown(price, Currency.getInstance(code)))));
    List<LimitJson> limits = new ArrayList<>();
    terms
        .limits()
        .forEach((meter, limit) -> limits.add(new LimitJson(meter, limit.limit(), limit.kind())));
    long organizations = 0;
    List<MrrJson> mrr = new ArrayList<>();
    for (Holding holding : holdings) {
      if (holding.version() == version.version()) {
        organizations += holding.organizations();
        Currency currency = holding.currency();
        mrr.add(
            new MrrJson(
                currency.getCurrencyCode(),
                holding.organizations(),
                charged ? Money.rounded(holding.monthly(), currency) : Money.zero(currency)));
      }
    }
    return new VersionJson(
        version.version(),
        version.name(),
        version.createdAt(),
        version.createdBy(),
        version.reason(),
        terms.interval(),
        prices,
        limits,
        organizations,
        mrr);
  }
}
