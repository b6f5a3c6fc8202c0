package io.streamspace.billing.http;

import static io.streamspace.billing.http.Schema.array;
import static io.streamspace.billing.http.Schema.bool;
import static io.streamspace.billing.http.Schema.integer;
import static io.streamspace.billing.http.Schema.number;
import static io.streamspace.billing.http.Schema.object;
import static io.streamspace.billing.http.Schema.string;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.account.Account;
import io.streamspace.billing.account.AccountRepository;
import io.streamspace.billing.account.MemberRole;
import io.streamspace.billing.account.Memberships;
import io.streamspace.billing.caps.MemberCap;
import io.streamspace.billing.caps.MemberCaps;
import io.streamspace.billing.caps.MemberCapsInMemory;
import io.streamspace.billing.catalog.Meter;
import io.streamspace.common.http.ApiException;
import io.streamspace.common.http.Json;
import io.streamspace.common.http.QueryParams;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpRequest;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * {@code PUT}, {@code GET} and {@code DELETE /member-caps}: an Admin or the Owner of a team
 * organization caps what one of its members may hold at once inside it ({@link MemberCap}: open
 * sessions, CPU cores, memory); admission refuses a session past the cap with {@code member_cap}.
 * The organization is named by {@code org_id} (a body member on PUT, a query parameter on GET and
 * DELETE), the member by {@code user_id}. A Member may read their own cap.
 */
public final class MemberCapRoutes {

  // the bodies and answers of these routes

  static final Schema MEMBER_CAP_SET =
      Schema.component(
          "MemberCapSet",
          object()
              .prop("org_id", Schemas.ORG_ID)
              .req(
                  "user_id",
                  string().description("the member capped: a current member of the organization"))
              .req("limits", capLimits()));

  /** A cap's limits, in its request and its answer alike. */
  private static Schema capLimits() {
    return object()
        .minProperties(1)
        .additionalProperties(false)
        .description(
            """
            per capped meter, the most the member's open sessions under the \
            organization may hold at once (zero: none); a meter left out is not \
            capped""")
        .prop("active_sessions", integer().min(0).max(MemberCap.MAX_SESSIONS))
        .prop("cpu_cores", amountLimit())
        .prop("memory_gb", amountLimit());
  }

  /** A cap of an amount held: 0 to 10^12 with at most 12 decimals, as a plan's limits. */
  private static Schema amountLimit() {
    return number()
        .min(0)
        .max(MemberCap.MAX_AMOUNT)
        .description("0 to 10^12 with at most " + MemberCap.MAX_DECIMALS + " decimals");
  }

  static final Schema MEMBER_CAP =
      Schema.component(
          "MemberCap",
          object()
              .req("org_id", string())
              .req("user_id", string())
              .req("limits", capLimits())
              .req(
                  "set_by",
                  string()
                      .description("who set this cap (a retry of the same cap keeps the first)"))
              .req("set_at", string().format("date-time")));

  static final Schema MEMBER_CAPS =
      Schema.component(
          "MemberCaps",
          object()
              .req("org_id", string())
              .req("caps", array(MEMBER_CAP).description("by member id")));

  static final Schema MEMBER_CAP_REMOVED =
      Schema.component(
          "MemberCapRemoved",
          object().req("org_id", string()).req("user_id", string()).req("removed", bool()));

  /** A member's cap. */
  record CapJson(
      String orgId, String userId, Map<String, BigDecimal> limits, String setBy, Instant setAt) {

    static CapJson of(MemberCap cap) {
      Map<String, BigDecimal> limits = new LinkedHashMap<>();
      cap.limits().forEach((meter, amount) -> limits.put(meter.configName(), amount));
      return new CapJson(cap.orgId(), cap.userId(), limits, cap.setBy(), cap.setAt());
    }
  }

  /** The answer of {@code GET}: the organization's caps the caller may read, by member. */
  record CapsJson(String orgId, List<CapJson> caps) {}

  /** The answer of {@code DELETE}: whether the member had a cap to remove. */
  record RemovedJson(String orgId, String userId, boolean removed) {}

  private static final String USER_ID = "user_id";
  private static final String LIMITS = "limits";

  private final OrgAccess access;
  private final AccountRepository accounts;
  private final Memberships memberships;
  private final MemberCaps caps;
  private final MemberCapsInMemory admission;
  private final ReadOnlyLock readOnlyLock;
  private final Clock clock;

  public MemberCapRoutes(
      OrgAccess access,
      AccountRepository accounts,
      Memberships memberships,
      MemberCaps caps,
      MemberCapsInMemory admission,
      ReadOnlyLock readOnlyLock,
      Clock clock) {
    this.access = access;
    this.accounts = accounts;
    this.memberships = memberships;
    this.caps = caps;
    this.admission = admission;
    this.readOnlyLock = readOnlyLock;
    this.clock = clock;
  }

  public void register(DescribedRoutes routes) {
    routes.add(PUT, JsonRoute.of(this::put));
    routes.add(GET, JsonRoute.of(this::get));
    routes.add(DELETE, JsonRoute.of(this::delete));
  }

  static final Operation PUT =
      Operation.put("/member-caps")
          .orgAdmin()
          .summary("Cap what one member may hold at once inside the organization")
          .description(
              """
              Who: the organization's owner or an admin; a platform admin. Replaces the member's \
              cap whole (the same cap again changes nothing). Admission then refuses a session \
              under the organization that would take the member past it, with code `member_cap` \
              (the member's sessions under other organizations or their personal one do not \
              count): at once on the node that set it, on the others within a reload. Only a team \
              organization's current member may be capped. 400 names `org_id` (a personal \
              organization), `user_id` (missing, or not a current member), `limits` (missing or \
              empty) or `limits.<meter>` (a meter that cannot be capped, or a value out of its \
              bounds: `active_sessions` a whole number from 0 to 10000, `cpu_cores` and \
              `memory_gb` a number from 0 to 10^12 with at most 12 decimals, as a plan's limits); \
              nothing is stored.""")
          .body(MEMBER_CAP_SET)
          .answers(200, MEMBER_CAP)
          .errors(400, 404, 423);

  /**
   * 200 with the cap set, replacing the member's previous one (the same cap again changes
   * nothing), acting on this node's admission at once and on the others' within a reload; 400
   * naming {@code org_id} for a personal organization, {@code user_id} when it is missing or not
   * a current member, {@code limits} or {@code limits.<meter>} for a missing or empty object, a
   * meter that cannot be capped or a value out of its bounds (a whole number from 0 to 10000 for
   * {@code active_sessions}, 0 to 10^12 with at most 12 decimals for an amount), with nothing
   * stored; 401; 403 as {@link OrgAccess} decides (an
   * Admin or the Owner); 404 for an organization without a billing account; 423 while it is
   * locked for non-payment.
   */
  CapJson put(HttpRequest request) throws Exception {
    Caller caller = Access.authenticated(request);
    JsonNode body = Json.readObject(request);
    String orgId =
        access.organizationNamed(request, OrgAccess.orgIdOf(body), MemberRole.ADMIN).id();
    Account account = teamAccount(orgId);
    readOnlyLock.requireNotLocked(account.orgId());
    String userId = Json.requiredText(body, USER_ID);
    if (memberships.roleOf(orgId, userId).isEmpty()) {
      throw ApiException.badParameter(
          USER_ID, userId + " is not a member of organization " + orgId);
    }
    Map<Meter, BigDecimal> limits = limits(body);
    MemberCap cap =
        caps.set(new MemberCap(orgId, userId, limits, caller.userId(), clock.instant()));
    admission.capSet(cap);
    return CapJson.of(cap);
  }

  static final Operation GET =
      Operation.get("/member-caps")
          .orgMember()
          .summary("The members' caps inside the organization")
          .description(
              """
              Who: any member of the organization; a platform admin. The owner, an admin or the \
              platform admin reads every member's cap (one member's with `user_id`); a member \
              reads only their own (naming another member: 403 `admin_required`).""")
          .params(
              Param.ORG_ID,
              Param.query("user_id", string())
                  .description(
                      """
                      the member whose cap is meant (GET: only theirs; DELETE: required)"""))
          .answers(200, MEMBER_CAPS)
          .answers(403, Response.ADMIN_REQUIRED);

  /**
   * 200 with the organization's caps: every member's for an Admin, the Owner or the platform
   * admin (one member's with {@code user_id}), the caller's own for a Member; 401; 403 {@code
   * not_a_member}, or {@code admin_required} for a Member naming another member.
   */
  CapsJson get(HttpRequest request) throws Exception {
    Caller caller = Access.authenticated(request);
    SubjectOrg org =
        access.organizationNamed(
            request, QueryParams.of(request, OrgAccess.ORG_ID).orElse(null), MemberRole.MEMBER);
    String named = QueryParams.of(request, USER_ID).orElse(null);
    boolean readsAll = org.role() == null || org.role().includes(MemberRole.ADMIN);
    if (!readsAll) {
      if (named != null && !named.equals(caller.userId())) {
        throw OrgAccess.adminRequired();
      }
      named = caller.userId();
    }
    String only = named;
    return new CapsJson(
        org.id(),
        caps.of(org.id()).stream()
            .filter(cap -> only == null || cap.userId().equals(only))
            .map(CapJson::of)
            .toList());
  }

  static final Operation DELETE =
      Operation.delete("/member-caps")
          .orgAdmin()
          .summary("Remove a member's cap (takes no body)")
          .description(
              """
              Who: the organization's owner or an admin; a platform admin. Idempotent: `removed` \
              says whether there was a cap. 400 names `user_id` when it is missing.""")
          .params(
              Param.ORG_ID,
              Param.query("user_id", string())
                  .required()
                  .description("the member whose cap is removed"))
          .answers(200, MEMBER_CAP_REMOVED)
          .errors(400, 423);

  /**
   * 200 saying whether the member had a cap, which no longer acts (also when there was none);
   * 400 naming {@code user_id} when missing, {@code invalid_json} for a body other than none or
   * one JSON object; 401; 403 as {@link OrgAccess} decides (an Admin or the Owner); 423 while
   * locked for non-payment.
   */
  RemovedJson delete(HttpRequest request) throws Exception {
    Json.requireNoneOrObject(request);
    String orgId =
        access
            .organizationNamed(
                request, QueryParams.of(request, OrgAccess.ORG_ID).orElse(null), MemberRole.ADMIN)
            .id();
    String userId =
        QueryParams.of(request, USER_ID)
            .filter(id -> !id.isBlank())
            .orElseThrow(() -> ApiException.badParameter(USER_ID, "user_id is required"));
    readOnlyLock.requireNotLocked(orgId);
    boolean removed = caps.remove(orgId, userId);
    admission.capRemoved(orgId, userId);
    return new RemovedJson(orgId, userId, removed);
  }

  /** The team organization's account: 404 without one, 400 naming org_id for a personal one. */
  private Account teamAccount(String orgId) throws Exception {
    Account account =
        accounts
            .find(orgId)
            .orElseThrow(() -> ApiException.notFound("no billing account for " + orgId));
    if (account.personal()) {
      throw ApiException.badParameter(
          OrgAccess.ORG_ID,
          "caps are set inside a team organization; "
              + orgId
              + " is a personal organization, whose one member is its owner");
    }
    return account;
  }

  /**
   * The body's {@code limits}: an object naming at least one of {@link MemberCap#METERS} by its
   * id, each with a number of zero or more (a whole one for sessions).
   */
  private static Map<Meter, BigDecimal> limits(JsonNode body) throws ApiException {
    JsonNode limits = body.get(LIMITS);
    if (limits == null || !limits.isObject() || limits.isEmpty()) {
      throw ApiException.badParameter(
          LIMITS,
          "limits is required: an object naming at least one of "
              + meterNames()
              + " with the member's cap");
    }
    Map<Meter, BigDecimal> parsed = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = limits.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> limit = it.next();
      String field = LIMITS + "." + limit.getKey();
      Meter meter =
          MemberCap.METERS.stream()
              .filter(m -> m.configName().equals(limit.getKey()))
              .findFirst()
              .orElseThrow(
                  () ->
                      ApiException.badParameter(
                          field,
                          limit.getKey()
                              + " cannot be capped: a cap names "
                              + meterNames()
                              + ", what a member holds at once"));
      parsed.put(meter, amount(field, meter, limit.getValue()));
    }
    return parsed;
  }

  /**
   * A cap's value: a whole number of sessions up to {@value MemberCap#MAX_SESSIONS}, or an amount
   * from 0 to 10^12 with at most {@value MemberCap#MAX_DECIMALS} decimals; 400 naming the field.
   */
  private static BigDecimal amount(String field, Meter meter, JsonNode value) throws ApiException {
    if (!value.isNumber() || value.decimalValue().signum() < 0) {
      throw ApiException.badParameter(field, field + " must be a number, zero or more");
    }
    BigDecimal amount = value.decimalValue().stripTrailingZeros();
    if (meter.equals(Meter.ACTIVE_SESSIONS)) {
      boolean whole =
          amount.scale() <= 0 && amount.compareTo(BigDecimal.valueOf(MemberCap.MAX_SESSIONS)) <= 0;
      if (!whole) {
        throw ApiException.badParameter(
            field,
            field + " must be a whole number of sessions, at most " + MemberCap.MAX_SESSIONS);
      }
      return amount.setScale(0);
    }
    if (amount.compareTo(MemberCap.MAX_AMOUNT) > 0 || amount.scale() > MemberCap.MAX_DECIMALS) {
      throw ApiException.badParameter(
          field,
          field
              + " must be a number from 0 to "
              + MemberCap.MAX_AMOUNT.toPlainString()
              + " with at most "
              + MemberCap.MAX_DECIMALS
              + " decimals");
    }
    return amount;
  }

  private static String meterNames() {
    return MemberCap.METERS.stream().map(Meter::configName).collect(Collectors.joining(", "));
  }
}
