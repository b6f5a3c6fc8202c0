package io.streamspace.billing.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.store.payout.CreatorPayout;
import io.streamspace.billing.store.payout.CreatorPayouts;
import io.streamspace.common.http.ApiException;
import io.streamspace.common.http.Json;
import io.streamspace.common.http.Page;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpRoutes;
import java.time.YearMonth;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Creators' payouts: a creator sets the Stripe connected account they are paid to ({@code PUT
 * /creator/payout-account}) and reads their payouts ({@code GET /creator/payouts}); the platform
 * admin lists every payout ({@code GET /admin/store/payouts}) and runs a closed month's payouts
 * now ({@code POST /admin/store/payouts/run}), for a reason the audit trail keeps.
 */
public final class PayoutRoutes {

  private static final Set<String> STATUSES =
      Set.of(CreatorPayout.PENDING, CreatorPayout.FAILED, CreatorPayout.PAID);

  private final CreatorPayouts payouts;

  public PayoutRoutes(CreatorPayouts payouts) {
    this.payouts = payouts;
  }

  public void register(HttpRoutes routes) {
    routes.add(HttpMethod.PUT, "/creator/payout-account", JsonRoute.of(this::setAccount));
    routes.add(HttpMethod.GET, "/creator/payouts", JsonRoute.of(this::ofCreator));
    routes.add(HttpMethod.GET, "/admin/store/payouts", JsonRoute.of(this::all));
    routes.add(HttpMethod.POST, "/admin/store/payouts/run", JsonRoute.of(this::run));
  }

  /** The connected account a creator's payouts are sent to. */
  public record PayoutAccount(String creatorId, String stripeAccount) {}

  /** A creator's payouts, newest month first. */
  public record CreatorPayoutList(String creatorId, List<CreatorPayout> payouts) {}

  /** A page of payouts, and the offset of the next page (null on the last). */
  public record PayoutsPage(List<CreatorPayout> payouts, Integer nextOffset) {}

  /** What a run did: payouts queued for the month, and of those due, paid and failed. */
  public record RunAnswer(String period, int queued, int paid, int failed, String note) {}

  /**
   * 200 with the account; 400 naming {@code stripe_account} unless it is {@code acct_} and
   * letters and digits; 403 without the creator role.
   */
  PayoutAccount setAccount(HttpRequest request) throws Exception {
    Caller creator = StoreRoutes.creator(request);
    JsonNode account = Json.readObject(request).get("stripe_account");
    if (account == null
        || !account.isTextual()
        || !CreatorPayouts.ACCOUNT.matcher(account.asText()).matches()) {
      throw ApiException.badParameter(
          "stripe_account", "stripe_account must be a Stripe connected account id, acct_…");
    }
    payouts.setAccount(creator.userId(), account.asText(), AuditCauses.user(request, creator));
    return new PayoutAccount(creator.userId(), account.asText());
  }

  /** 200 with the caller's payouts; 403 without the creator role. */
  CreatorPayoutList ofCreator(HttpRequest request) throws Exception {
    Caller creator = StoreRoutes.creator(request);
    return new CreatorPayoutList(creator.userId(), payouts.ofCreator(creator.userId()));
  }

  /** 200 with a page of payouts, of one {@code status} when given (400 naming it otherwise). */
  PayoutsPage all(HttpRequest request) throws Exception {
    Access.admin(request);
    String status = request.queryParam("status").filter(s -> !s.isEmpty()).orElse(null);
    if (status != null && !STATUSES.contains(status)) {
      throw ApiException.badParameter("status", "status must be pending, failed or paid");
    }
    Page page = Page.of(request);
    List<CreatorPayout> fetched = payouts.all(status, page.fetch(), page.offset());
    return new PayoutsPage(page.rows(fetched), page.nextOffset(fetched));
  }

  /**
   * Queues the month's payouts due and sends those due now: 200 with the counts; 400 naming
   * {@code period} or {@code reason}; 409 {@code period_not_closed} for a month that has not
   * ended in the billing time zone.
   */
  RunAnswer run(HttpRequest request) throws Exception {
    Caller admin = Access.admin(request);
    JsonNode body = Json.readObject(request);
    YearMonth period = period(body.get("period"));
    String reason = AuditCauses.requiredReason(body);
    if (!payouts.closed(period)) {
      throw ApiException.conflict(
          "period_not_closed",
          period + " has not ended in the billing time zone; only a closed month is paid out",
          Map.of("period", period.toString()));
    }
    CreatorPayouts.Run run = payouts.run(period, AuditCauses.admin(request, admin, reason));
    return new RunAnswer(period.toString(), run.queued(), run.paid(), run.failed(), run.note());
  }

  private static YearMonth period(JsonNode value) throws ApiException {
    return Months.parse(value != null && value.isTextual() ? value.asText() : null, "period");
  }
}
