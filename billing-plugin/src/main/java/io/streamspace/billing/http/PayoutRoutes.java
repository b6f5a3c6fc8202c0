package io.streamspace.billing.http;

import static io.streamspace.billing.http.Schema.array;
import static io.streamspace.billing.http.Schema.integer;
import static io.streamspace.billing.http.Schema.number;
import static io.streamspace.billing.http.Schema.object;
import static io.streamspace.billing.http.Schema.string;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.store.payout.CreatorPayout;
import io.streamspace.billing.store.payout.CreatorPayouts;
import io.streamspace.common.http.ApiException;
import io.streamspace.common.http.Json;
import io.streamspace.common.http.Page;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpRequest;
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

  // the bodies and answers of these routes

  static final Schema PAYOUT_ACCOUNT_REQUEST =
      Schema.component(
          "PayoutAccountRequest",
          object()
              .req(
                  "stripe_account",
                  string()
                      .pattern("^acct_[A-Za-z0-9]{1,250}$")
                      .description("a Stripe Connect account id")));

  static final Schema PAYOUT_ACCOUNT =
      Schema.component(
          "PayoutAccount", object().req("creator_id", string()).req("stripe_account", string()));

  static final Schema CREATOR_PAYOUT =
      Schema.component(
          "CreatorPayout",
          object()
              .description(
                  """
                  What a creator is owed for a closed month in one currency, and how its transfer \
                  went.""")
              .req("id", integer())
              .req("creator_id", string())
              .req("period", string().description("the month paid, YYYY-MM"))
              .req("currency", string())
              .req("amount", number().description("in the currency, at its decimals"))
              .req("status", string().enumOf("pending", "failed", "paid"))
              .req("attempts", integer().description("transfers tried so far"))
              .prop(
                  "next_attempt_at",
                  string()
                      .orNull()
                      .format("date-time")
                      .description(
                          """
                          when it is tried next; null once paid, or when failed for good"""))
              .prop(
                  "last_error",
                  string()
                      .orNull()
                      .description(
                          """
                          what went wrong last: `no payout account`, or Stripe's status, code and \
                          message"""))
              .prop("stripe_transfer_id", string().orNull())
              .req("created_at", string().format("date-time"))
              .prop("paid_at", string().orNull().format("date-time")));

  static final Schema CREATOR_PAYOUT_LIST =
      Schema.component(
          "CreatorPayoutList",
          object().req("creator_id", string()).req("payouts", array(CREATOR_PAYOUT)));

  static final Schema CREATOR_PAYOUTS_PAGE =
      Schema.component(
          "CreatorPayoutsPage",
          object().req("payouts", array(CREATOR_PAYOUT)).req("next_offset", integer().orNull()));

  static final Schema PAYOUT_RUN_REQUEST =
      Schema.component(
          "PayoutRunRequest",
          object()
              .req("period", string().description("a closed month, YYYY-MM"))
              .req("reason", string().description("why now (kept in the audit trail)")));

  static final Schema PAYOUT_RUN =
      Schema.component(
          "PayoutRun",
          object()
              .req("period", string())
              .req("queued", integer().description("payouts of the month queued by this run"))
              .req("paid", integer())
              .req("failed", integer())
              .prop(
                  "note",
                  string()
                      .orNull()
                      .description(
                          """
                          why nothing was sent (`stripe is disabled`, `no STRIPE_SECRET_KEY`)""")));

  private static final Set<String> STATUSES =
      Set.of(CreatorPayout.PENDING, CreatorPayout.FAILED, CreatorPayout.PAID);

  private final CreatorPayouts payouts;

  public PayoutRoutes(CreatorPayouts payouts) {
    this.payouts = payouts;
  }

  public void register(DescribedRoutes routes) {
    routes.add(SET_ACCOUNT, JsonRoute.of(this::setAccount));
    routes.add(OF_CREATOR, JsonRoute.of(this::ofCreator));
    routes.add(ALL, JsonRoute.of(this::all));
    routes.add(RUN, JsonRoute.of(this::run));
  }

  /** The connected account a creator's payouts are sent to. */
  public record PayoutAccount(String creatorId, String stripeAccount) {}

  /** A creator's payouts, newest month first. */
  public record CreatorPayoutList(String creatorId, List<CreatorPayout> payouts) {}

  /** A page of payouts, and the offset of the next page (null on the last). */
  public record PayoutsPage(List<CreatorPayout> payouts, Integer nextOffset) {}

  /** What a run did: payouts queued for the month, and of those due, paid and failed. */
  public record RunAnswer(String period, int queued, int paid, int failed, String note) {}

  static final Operation SET_ACCOUNT =
      Operation.put("/creator/payout-account")
          .roles("creator")
          .summary("Set the connected account a creator is paid to")
          .description(
              """
              Who: a caller with the role `creator`, for their own payouts.

              `{"stripe_account":"acct_…"}`, the creator's Stripe Connect account (`acct_` then \
              letters and digits) → 200 `{"creator_id","stripe_account"}`; it replaces an earlier \
              one. Their payouts waiting for an account (`last_error` `no payout account`) are \
              sent at the next pay-creators run. 400 naming `stripe_account` for anything else. \
              Writes `creator_payout_account.set` in the audit trail, in the same transaction.""")
          .body(PAYOUT_ACCOUNT_REQUEST)
          .answers(200, PAYOUT_ACCOUNT)
          .errors(400, 403);

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

  static final Operation OF_CREATOR =
      Operation.get("/creator/payouts")
          .roles("creator")
          .summary("A creator's payouts")
          .description(
              """
              Who: a caller with the role `creator`, for their own payouts.

              Every payout of the caller, newest month first: one per closed month and currency \
              they were owed something in, with its `status` (`pending`: not sent yet, or waiting \
              for a payout account; `failed`: the last transfer failed, tried again at \
              `next_attempt_at`, or never when that is null; `paid`), `attempts`, `last_error` \
              and, once paid, `stripe_transfer_id` and `paid_at`.""")
          .answers(200, CREATOR_PAYOUT_LIST)
          .errors(403);

  /** 200 with the caller's payouts; 403 without the creator role. */
  CreatorPayoutList ofCreator(HttpRequest request) throws Exception {
    Caller creator = StoreRoutes.creator(request);
    return new CreatorPayoutList(creator.userId(), payouts.ofCreator(creator.userId()));
  }

  static final Operation ALL =
      Operation.get("/admin/store/payouts")
          .admin()
          .summary("Every creator's payouts")
          .description(
              """
              Who: admin.

              The payouts of every creator, newest month first, only those of `status` (`pending`, \
              `failed` or `paid`; 400 naming `status` otherwise) when given; paged by `limit` and \
              `offset`.""")
          .params(
              Param.query("status", string().enumOf("pending", "failed", "paid")),
              Param.LIMIT,
              Param.OFFSET)
          .answers(200, CREATOR_PAYOUTS_PAGE)
          .errors(400);

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

  static final Operation RUN =
      Operation.post("/admin/store/payouts/run")
          .admin()
          .summary("Pay out a closed month now")
          .description(
              """
              Who: admin.

              `{"period":"YYYY-MM","reason"}` does now what the daily pay-creators job does: \
              queues the payouts due for the month (one per creator and currency; a month already \
              queued adds nothing), then sends every payout due now, this month's and earlier \
              retries, as Stripe Connect transfers (while `stripeEnabled` and a secret key is \
              set). → 200 `{"period","queued","paid","failed","note"}`. 400 naming `period` or \
              `reason`; 409 `period_not_closed` for a month that has not ended in the billing time \
              zone. Writes `creator_payout.queued` and `creator_payout.paid` in the audit trail \
              with the admin and their reason.""")
          .params(Param.IDEMPOTENCY_KEY)
          .body(PAYOUT_RUN_REQUEST)
          .answers(200, PAYOUT_RUN)
          .errors(400, 409);

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
