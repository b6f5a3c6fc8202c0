package io.streamspace.billing.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.streamspace.billing.account.MemberRole;
import io.streamspace.billing.caps.MemberCapUse;
import io.streamspace.billing.caps.MemberCapsInMemory;
import io.streamspace.billing.catalog.Meter;
import io.streamspace.billing.catalog.Meters;
import io.streamspace.billing.quota.AccountQuota;
import io.streamspace.billing.quota.MeterOverThreshold;
import io.streamspace.billing.quota.MeterQuota;
import io.streamspace.billing.quota.OverLimitSuspensions;
import io.streamspace.billing.quota.QuotaState;
import io.streamspace.billing.quota.Quotas;
import io.streamspace.common.http.ApiException;
import io.streamspace.common.http.Page;
import io.streamspace.common.http.QueryParams;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpRoutes;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * {@code GET /quota}: an account's use of every meter against its plan's limits, read now; {@code
 * GET /admin/quotas}: the accounts at or over the alert threshold, worst first.
 */
public final class QuotaRoutes {

  /** One meter of {@code GET /quota}. */
  record MeterJson(
      String meter,
      String name,
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
          q.meter().name(),
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

  /** A meter of the caller's cap inside the organization, and what they hold of it now. */
  record CappedJson(String meter, BigDecimal cap, BigDecimal used) {}

  /** The caller's cap inside the organization ({@code /member-caps}), as admission counts it. */
  record MemberCapJson(String userId, List<CappedJson> meters) {

    static MemberCapJson of(MemberCapUse use) {
      return new MemberCapJson(
          use.userId(),
          use.meters().stream()
              .map(m -> new CappedJson(m.meter().configName(), m.cap(), m.used()))
              .toList());
    }
  }

  /**
   * The JSON body of {@code GET /quota}: the meters, and since when the account is over a hard
   * limit (as check-quotas last found it), when it is suspended for it, and whether it is; and
   * the caller's own cap inside the organization beside what they hold (absent when uncapped).
   */
  record QuotaJson(
      String userId,
      String currency,
      Instant periodStart,
      List<MeterJson> meters,
      Instant overSince,
      Instant suspendsAt,
      boolean suspended,
      @JsonInclude(JsonInclude.Include.NON_NULL) MemberCapJson memberCap) {

    static QuotaJson of(
        AccountQuota q, OverLimitSuspensions.State over, Optional<MemberCapUse> cap) {
      return new QuotaJson(
          q.accountId(),
          q.currency().getCurrencyCode(),
          q.periodStart(),
          q.meters().stream().map(MeterJson::of).toList(),
          over.overSince(),
          over.suspendsAt(),
          over.suspended(),
          cap.map(MemberCapJson::of).orElse(null));
    }
  }

  /** One row of {@code GET /admin/quotas}: an account's meter at or over the threshold. */
  record OverThresholdJson(
      String userId,
      String meter,
      BigDecimal used,
      BigDecimal limit,
      BigDecimal percent,
      String kind,
      String state) {

    static OverThresholdJson of(MeterOverThreshold q) {
      return new OverThresholdJson(
          q.accountId(),
          q.meter().configName(),
          q.used(),
          q.limit(),
          q.percent(),
          q.kind().configName(),
          q.state().jsonName());
    }
  }

  /** The JSON body of {@code GET /admin/quotas}: a page of rows and the next offset. */
  record OverThresholdPageJson(List<OverThresholdJson> quotas, Integer nextOffset) {}

  private final OrgAccess access;
  private final Quotas quotas;
  private final OverLimitSuspensions suspensions;
  private final MemberCapsInMemory caps;

  public QuotaRoutes(
      OrgAccess access, Quotas quotas, OverLimitSuspensions suspensions, MemberCapsInMemory caps) {
    this.access = access;
    this.quotas = quotas;
    this.suspensions = suspensions;
    this.caps = caps;
  }

  public void register(HttpRoutes routes) {
    routes.add(HttpMethod.GET, "/quota", JsonRoute.of(this::quota));
    routes.add(HttpMethod.GET, "/admin/quotas", JsonRoute.of(this::overThreshold));
  }

  /**
   * 200 with every meter, and the caller's cap inside the organization if an Admin set one;
   * 401 without a caller; 403 for an organization the caller is not a member of; 404 for one
   * without a billing account (no plan, so no limits).
   */
  QuotaJson quota(HttpRequest request) throws Exception {
    String userId = access.organization(request, MemberRole.MEMBER).id();
    AccountQuota quota =
        quotas
            .of(userId)
            .orElseThrow(() -> ApiException.notFound("no billing account for user " + userId));
    return QuotaJson.of(
        quota,
        suspensions.stateOf(quota.accountId()),
        caps.capUse(quota.accountId(), Access.authenticated(request).userId()));
  }

  /**
   * 200 with a page of (account, meter) pairs in {@code warning}, {@code exceeded} or {@code
   * confirmation_required}, worst
   * first, filtered by {@code state} and {@code meter}; 400 naming {@code state}, {@code meter},
   * {@code limit} or {@code offset}; 401/403 unless admin.
   */
  OverThresholdPageJson overThreshold(HttpRequest request) throws Exception {
    Access.admin(request);
    QuotaState state = overThresholdState(request, "state");
    Meter meter = meterParam(request, quotas.meters());
    Page page = Page.of(request);
    List<MeterOverThreshold> rows =
        quotas.overThreshold(state, meter, page.limit() + 1, page.offset());
    return new OverThresholdPageJson(
        page.rows(rows).stream().map(OverThresholdJson::of).toList(), page.nextOffset(rows));
  }

  /**
   * The state named by parameter {@code name}: {@code warning}, {@code exceeded} or {@code
   * confirmation_required}; null when absent; 400 naming it otherwise.
   */
  static QuotaState overThresholdState(HttpRequest request, String name) throws ApiException {
    String value = QueryParams.of(request, name).orElse(null);
    if (value == null) {
      return null;
    }
    for (QuotaState state : QuotaState.values()) {
      if (state != QuotaState.OK && state.jsonName().equals(value)) {
        return state;
      }
    }
    throw ApiException.badParameter(
        name, name + " must be warning, exceeded or confirmation_required");
  }

  private static Meter meterParam(HttpRequest request, Meters meters) throws ApiException {
    String value = QueryParams.of(request, "meter").orElse(null);
    if (value == null) {
      return null;
    }
    return meters
        .named(value)
        .orElseThrow(() -> ApiException.badParameter("meter", "unknown meter " + value));
  }
}
