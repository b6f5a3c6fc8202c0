package io.streamspace.billing.http;

import io.streamspace.billing.quota.AccountQuota;
import io.streamspace.billing.quota.MeterQuota;
import io.streamspace.billing.quota.Quotas;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpRoutes;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/** {@code GET /quota}: an account's use of every meter against its plan's limits, read now. */
public final class QuotaRoutes {

  /** One meter of {@code GET /quota}. */
  record MeterJson(
      String meter,
      String unit,
      BigDecimal used,
      BigDecimal limit,
      BigDecimal percent,
      String kind,
      String state,
      Instant resetsAt,
      BigDecimal overageCost) {

    static MeterJson of(MeterQuota q) {
      return new MeterJson(
          q.meter().configName(),
          q.meter().unit(),
          q.used(),
          q.limit(),
          q.percent(),
          q.kind() == null ? null : q.kind().configName(),
          q.state().jsonName(),
          q.resetsAt(),
          q.overageCost());
    }
  }

  /** The JSON body of {@code GET /quota}. */
  record QuotaJson(String userId, String currency, Instant periodStart, List<MeterJson> meters) {

    static QuotaJson of(AccountQuota q) {
      return new QuotaJson(
          q.userId(),
          q.currency().getCurrencyCode(),
          q.periodStart(),
          q.meters().stream().map(MeterJson::of).toList());
    }
  }

  private final Quotas quotas;

  public QuotaRoutes(Quotas quotas) {
    this.quotas = quotas;
  }

  public void register(HttpRoutes routes) {
    routes.add(HttpMethod.GET, "/quota", JsonRoute.of(this::quota));
  }

  /**
   * 200 with every meter; 401 without a caller; 403 for another user's quota unless admin; 404
   * for a user without a billing account (no plan, so no limits).
   */
  QuotaJson quota(HttpRequest request) throws Exception {
    String userId = Access.subjectUser(request);
    return QuotaJson.of(
        quotas
            .of(userId)
            .orElseThrow(() -> ApiException.notFound("no billing account for user " + userId)));
  }
}
