package io.streamspace.billing.http;

import static io.streamspace.billing.http.Schema.array;
import static io.streamspace.billing.http.Schema.integer;
import static io.streamspace.billing.http.Schema.number;
import static io.streamspace.billing.http.Schema.object;
import static io.streamspace.billing.http.Schema.string;

import io.streamspace.billing.account.MemberRole;
import io.streamspace.billing.live.LiveCost;
import io.streamspace.billing.live.LiveCost.Runway;
import io.streamspace.billing.live.LiveCost.SessionCost;
import io.streamspace.billing.live.LiveCosts;
import io.streamspace.common.http.ApiException;
import io.streamspace.common.http.Json;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpRequest;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * {@code GET /live}: an organization's cost of the current billing period as it runs, fresh
 * within a second ({@link LiveCosts}): as JSON, or as server-sent events, one a second ({@link
 * EventStreams}), when the request accepts {@code text/event-stream}. Its Owner and Admins (and a
 * platform admin) see all of it; a Member sees their own running sessions and their own budget's
 * runway, not the organization's costs (as {@code /summary} keeps them from a Member).
 */
public final class LiveRoutes {

  static final Schema RUNWAY =
      object()
          .req(
              "what",
              string().enumOf(LiveCost.BALANCE, LiveCost.SPENDING_LIMIT, LiveCost.MEMBER_BUDGET))
          .req("seconds", integer().min(0))
          .req("at", string().format("date-time"))
          .req("action", string().orNull())
          .req("member_id", string().orNull());

  static final Schema LIVE =
      Schema.component(
          "LiveCost",
          object()
              .req("org_id", string())
              .req("currency", string())
              .req("at", string().format("date-time"))
              .req("period_start", string().format("date-time"))
              .req("period_end", string().format("date-time"))
              .req(
                  "total",
                  number()
                      .orNull()
                      .description(
                          "the period's cost so far, before credits; null for a Member, who"
                              + " does not see the organization's costs"))
              .req(
                  "rate_per_hour",
                  number()
                      .orNull()
                      .description(
                          "what an hour at what is held now adds to it; null for a Member"))
              .req(
                  "balance",
                  number()
                      .orNull()
                      .description(
                          "a prepaid balance left once the total is paid from it; null when none"
                              + " is read, or for a Member"))
              .req("runway", RUNWAY.orNull())
              .req(
                  "sessions",
                  array(
                      object()
                          .req("session_id", string())
                          .req("user_id", string())
                          .req("cost_so_far", number())
                          .req("rate_per_hour", number())
                          .req("since", string().format("date-time")))));

  /** The JSON of {@code GET /live}, and of each of its events. */
  record LiveJson(
      String orgId,
      String currency,
      Instant at,
      Instant periodStart,
      Instant periodEnd,
      BigDecimal total,
      BigDecimal ratePerHour,
      BigDecimal balance,
      Runway runway,
      List<SessionCost> sessions) {}

  private final OrgAccess access;
  private final LiveCosts live;
  private final EventStreams streams;

  public LiveRoutes(OrgAccess access, LiveCosts live, EventStreams streams) {
    this.access = access;
    this.live = live;
    this.streams = streams;
  }

  public void register(DescribedRoutes routes) {
    routes.add(LIVE_ROUTE, JsonRoute.of(this::live));
  }

  static final Operation LIVE_ROUTE =
      Operation.get("/live")
          .orgMember()
          .summary("The period's cost so far, live (JSON, or server-sent events)")
          .description(
              """
              Who: any member of the organization (a Member sees less, below); a platform admin.

              `{"org_id","currency","at","period_start","period_end","total","rate_per_hour",\
              "balance","runway","sessions":[{"session_id","user_id","cost_so_far",\
              "rate_per_hour","since"}]}` at `at`, fresh within a second: `total`, what the \
              current period's invoice would charge if the usage up to `at` were rated and the \
              invoice finalized then, before credits (the rated usage, what the running \
              sessions and the storage have used since they were last rated, priced and rounded \
              as the invoice does, the counters as reported, the plan fees, seats and packs): \
              once rated, the invoice's lines come to it to the cent; `rate_per_hour`, what an \
              hour at what is held now adds to it; `balance`, a prepaid balance left once \
              `total` is paid from it (null: the organization never held one); `runway`, the \
              earliest limit the spending reaches at that rate (`what`: `balance`, \
              `spending_limit` with its `action`, or `member_budget` with its `member_id`), \
              `seconds` from `at` and the instant, null when none is reached; \
              each running session's usage this period since `since` (its start, or the \
              period's) at its unit prices and its rate. For a Member, `total`, \
              `rate_per_hour` and `balance` are null, `sessions` holds their own only and \
              `runway` is their own budget's.

              With `Accept: text/event-stream`: server-sent events, `retry: %d`, then one \
              `data: {the JSON above}` event a second, for at most %d minutes (then the client \
              reconnects), ending when the client goes away; an event that cannot be made ends \
              the stream with `event: error` and the error body as its data. A node keeps at \
              most %d streams open: one more is answered 503 `too_many_streams` with \
              `Retry-After`. 401, 403 `not_a_member`, 404 for an organization without a billing \
              account."""
                  .formatted(
                      EventStreams.RETRY.toMillis(),
                      EventStreams.LONGEST.toMinutes(),
                      EventStreams.MAX_STREAMS))
          .params(Param.ORG_ID, Param.USER_ID)
          .answers(
              200,
              Response.of("the live cost, or its events")
                  .json(LIVE)
                  .content(EventStreams.TYPE, string()))
          .answers(
              503,
              Response.refusal(
                      "too_many_streams: this node streams to as many clients as it keeps; or "
                          + "database_unavailable")
                  .header("Retry-After", integer()))
          .errors(404);

  /**
   * 200 with the live cost, or its events; 401; 403 for a non-member; 404 for an organization
   * without a billing account; 503 {@code too_many_streams}.
   */
  Object live(HttpRequest request) throws Exception {
    SubjectOrg org = access.organization(request, MemberRole.MEMBER);
    Caller caller = Access.authenticated(request);
    boolean seesAll = org.role() == null || org.role().includes(MemberRole.ADMIN);
    LiveJson first = json(org.id(), seesAll, caller.userId()); // a 404 before any stream
    if (!EventStreams.asked(request)) {
      return first;
    }
    return streams.respond(
        () -> Json.MAPPER.writeValueAsString(json(org.id(), seesAll, caller.userId())));
  }

  private LiveJson json(String orgId, boolean seesAll, String userId) throws Exception {
    LiveCost cost =
        live.of(orgId).orElseThrow(() -> ApiException.notFound("no billing account for " + orgId));
    return new LiveJson(
        cost.orgId(),
        cost.currency().getCurrencyCode(),
        cost.at(),
        cost.periodStart(),
        cost.periodEnd(),
        seesAll ? cost.total() : null,
        seesAll ? cost.ratePerHour() : null,
        seesAll ? cost.balance() : null,
        seesAll ? cost.runway() : cost.runwayOf(userId),
        seesAll
            ? cost.sessions()
            : cost.sessions().stream().filter(s -> s.userId().equals(userId)).toList());
  }
}
