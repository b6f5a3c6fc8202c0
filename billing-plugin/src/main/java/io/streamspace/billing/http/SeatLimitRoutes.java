package io.streamspace.billing.http;

import static io.streamspace.billing.http.Schema.integer;
import static io.streamspace.billing.http.Schema.number;
import static io.streamspace.billing.http.Schema.object;
import static io.streamspace.billing.http.Schema.string;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.account.Account;
import io.streamspace.billing.account.AccountRepository;
import io.streamspace.billing.account.MemberRole;
import io.streamspace.billing.account.SeatLimit;
import io.streamspace.billing.account.SeatLimits;
import io.streamspace.billing.catalog.Limit;
import io.streamspace.billing.catalog.Meter;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.common.http.ApiException;
import io.streamspace.common.http.Json;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpRequest;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * {@code PUT}, {@code GET} and {@code DELETE /seat-limit}: the most members the Owner lets an
 * organization have. Member admission refuses a member past it, or past the plan's hard members
 * limit when that is lower: the Owner's limit only ever lowers what the plan allows.
 */
public final class SeatLimitRoutes {

  // the bodies and answers of these routes

  static final Schema SEAT_LIMIT_SET =
      Schema.component(
          "SeatLimitSet",
          object()
              .req(
                  "limit",
                  integer()
                      .min(1)
                      .max(1000000)
                      .description("the most members the organization may have"))
              .prop("org_id", Schemas.ORG_ID)
              .prop("user_id", string()));

  static final Schema SEAT_LIMIT =
      Schema.component(
          "SeatLimit",
          object()
              .req("org_id", string())
              .req("limit", integer().orNull().description("the owner's seat limit; null: none"))
              .req("set_by", string().orNull())
              .req("set_at", string().orNull().format("date-time"))
              .req("members", integer().description("its members now (a personal organization: 1)"))
              .req("plan_id", string())
              .req(
                  "plan_limit",
                  number()
                      .orNull()
                      .description("the plan's members limit (included seats); null: unlimited"))
              .req(
                  "plan_limit_kind",
                  string()
                      .orNull()
                      .enumOf("hard", "soft", null)
                      .description(
                          """
                          hard: no member past it is admitted; soft: the seats past it are \
                          billed""")));

  /**
   * The answer of every route.
   *
   * @param limit the Owner's seat limit, null when none
   * @param members the organization's members now (a personal organization: 1)
   * @param planLimit the plan's members limit (its included seats), null when unlimited
   * @param planLimitKind {@code hard} (no member past it) or {@code soft} (the seats past it are
   *     billed)
   */
  record SeatLimitJson(
      String orgId,
      Integer limit,
      String setBy,
      Instant setAt,
      int members,
      String planId,
      BigDecimal planLimit,
      String planLimitKind) {}

  private final OrgAccess access;
  private final AccountRepository accounts;
  private final SeatLimits limits;
  private final ReadOnlyLock readOnlyLock;
  private final Supplier<BillingConfig> config;
  private final Clock clock;

  public SeatLimitRoutes(
      OrgAccess access,
      AccountRepository accounts,
      SeatLimits limits,
      ReadOnlyLock readOnlyLock,
      Supplier<BillingConfig> config,
      Clock clock) {
    this.access = access;
    this.accounts = accounts;
    this.limits = limits;
    this.readOnlyLock = readOnlyLock;
    this.config = config;
    this.clock = clock;
  }

  public void register(DescribedRoutes routes) {
    routes.add(PUT, JsonRoute.of(this::put));
    routes.add(GET, JsonRoute.of(this::get));
    routes.add(DELETE, JsonRoute.of(this::delete));
  }

  static final Operation PUT =
      Operation.put("/seat-limit")
          .owner()
          .summary("Set the organization's seat limit: at most this many members")
          .description(
              """
              Who: the organization's owner; a platform admin. Member admission (POST \
              /api/platform/admission with action add_member) then refuses a member past it with \
              seat_limit, or past the plan's hard members limit when that is lower: the seat limit \
              never raises what the plan allows. Setting it again replaces it.""")
          .body(SEAT_LIMIT_SET)
          .answers(200, SEAT_LIMIT)
          .errors(400, 404, 423);

  /**
   * 200 with the limit set (replacing the organization's previous one; setting the same again
   * changes nothing but who set it and when); 400 naming {@code limit} unless it is a whole
   * number from 1 to {@value SeatLimit#MAX} (nothing stored); 401; 403 {@code owner_required}
   * and the others {@link OrgAccess} answers; 404 for an organization without a billing
   * account; 423 while it is locked for non-payment.
   */
  SeatLimitJson put(HttpRequest request) throws Exception {
    Caller caller = Access.authenticated(request);
    JsonNode body = Json.readObject(request);
    String orgId = access.organization(request, body, MemberRole.OWNER).id();
    int limit = limit(body);
    Account account = account(orgId);
    readOnlyLock.requireNotLocked(account.orgId());
    limits.set(
        new SeatLimit(account.orgId(), limit, caller.userId(), clock.instant()),
        AuditCauses.ofCaller(request, body));
    return status(account);
  }

  static final Operation GET =
      Operation.get("/seat-limit")
          .orgAdmin()
          .summary(
              """
              The organization's seat limit, its members now and its plan's members limit""")
          .description("Who: the organization's owner or an admin; a platform admin.")
          .params(Param.ORG_ID, Param.USER_ID)
          .answers(200, SEAT_LIMIT)
          .errors(404);

  /** 200 with the limit (or nulls), the members and the plan's limit; 401; 403; 404. */
  SeatLimitJson get(HttpRequest request) throws Exception {
    return status(account(access.organization(request, MemberRole.ADMIN).id()));
  }

  static final Operation DELETE =
      Operation.delete("/seat-limit")
          .owner()
          .summary(
              """
              Remove the seat limit (takes no body): only the plan's members limit is left""")
          .description("Who: the organization's owner; a platform admin.")
          .params(Param.ORG_ID, Param.USER_ID)
          .answers(200, SEAT_LIMIT)
          .errors(400, 404, 423);

  /**
   * 200 with the organization's seats after its limit is removed, also when it had none; 400
   * {@code invalid_json} for a body other than none or one JSON object; 401; 403; 404; 423.
   */
  SeatLimitJson delete(HttpRequest request) throws Exception {
    Json.requireNoneOrObject(request);
    Account account = account(access.organization(request, MemberRole.OWNER).id());
    readOnlyLock.requireNotLocked(account.orgId());
    limits.remove(account.orgId(), clock.instant(), AuditCauses.ofCaller(request, null));
    return status(account);
  }

  private SeatLimitJson status(Account account) throws Exception {
    SeatLimits.Seats seats = limits.of(account.orgId());
    SeatLimit set = seats.limit();
    // the limit of the version it is on, which member admission holds it to
    Limit plan = accounts.limitsOf(account, config.get()).of(Meter.MEMBERS);
    return new SeatLimitJson(
        account.orgId(),
        set == null ? null : set.limit(),
        set == null ? null : set.setBy(),
        set == null ? null : set.setAt(),
        seats.members(),
        account.planId(),
        plan.amount(),
        plan.unlimited() ? null : plan.kind().configName());
  }

  private Account account(String orgId) throws Exception {
    return accounts
        .find(orgId)
        .orElseThrow(() -> ApiException.notFound("no billing account for organization " + orgId));
  }

  /** A whole JSON number from 1 to {@link SeatLimit#MAX}. */
  private static int limit(JsonNode body) throws ApiException {
    JsonNode value = body.get("limit");
    boolean whole = value != null && value.isIntegralNumber() && value.canConvertToInt();
    if (!whole || value.asInt() < 1 || value.asInt() > SeatLimit.MAX) {
      throw ApiException.badParameter(
          "limit", "limit must be a whole number of members from 1 to " + SeatLimit.MAX);
    }
    return value.asInt();
  }
}
