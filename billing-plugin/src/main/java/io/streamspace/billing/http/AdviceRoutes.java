package io.streamspace.billing.http;

import static io.streamspace.billing.http.Schema.array;
import static io.streamspace.billing.http.Schema.bool;
import static io.streamspace.billing.http.Schema.number;
import static io.streamspace.billing.http.Schema.object;
import static io.streamspace.billing.http.Schema.string;

import io.streamspace.billing.account.Account;
import io.streamspace.billing.account.AccountRepository;
import io.streamspace.billing.account.MemberRole;
import io.streamspace.billing.advice.Advice;
import io.streamspace.billing.advice.Advisor;
import io.streamspace.common.http.ApiException;
import io.streamspace.plugin.api.http.HttpRequest;
import java.util.List;

/**
 * {@code GET /advice}: what each plan the organization could choose would have cost it, the
 * cheapest and the saving, the packs cheaper than the overage they absorb ({@link Advisor}).
 */
public final class AdviceRoutes {

  // the bodies and answers of these routes

  private static final Schema MONEY =
      number().description("in the organization's currency, before credits");

  private static final Schema OPTION =
      object()
          .req("plan_id", string())
          .req("plan_name", string())
          .req("pack_id", string().orNull().description("null: the plan alone"))
          .req("pack_name", string().orNull())
          .req("total", MONEY);

  static final Schema ADVICE =
      Schema.component(
          "Advice",
          object()
              .req("org_id", string())
              .req("currency", string())
              .req(
                  "periods",
                  array(
                      object()
                          .req("period_start", string().format("date-time"))
                          .req("period_end", string().format("date-time"))
                          .req("closed", bool().description("false: the current period, so far"))
                          .req("plan_id", string().orNull())
                          .req("paid", MONEY)
                          .req(
                              "plans",
                              array(
                                  object()
                                      .req("alone", OPTION)
                                      .req(
                                          "with_pack",
                                          OPTION
                                              .orNull()
                                              .description(
                                                  "with the pack that brings it lowest; null"
                                                      + " when none does"))))
                          .req("cheapest", OPTION.orNull())
                          .req("saving", MONEY)
                          .req(
                              "packs",
                              array(
                                  object()
                                      .req("pack_id", string())
                                      .req("name", string())
                                      .req("meters", array(string()))
                                      .req("price", MONEY)
                                      .req("overage_paid", MONEY)
                                      .req("total", MONEY)
                                      .req("saving", MONEY)))
                          .req(
                              "right_sizing",
                              array(
                                      object()
                                          .req(
                                              "meter",
                                              string()
                                                  .description(
                                                      "cpu_cores, memory_gb or a held meter's"
                                                          + " id"))
                                          .req("held", number())
                                          .req(
                                              "p95_used",
                                              number()
                                                  .description(
                                                      "the time-weighted p95 of the used"
                                                          + " figures the sessions reported"))
                                          .req(
                                              "suggested",
                                              number()
                                                  .description(
                                                      "p95_used rounded up to a whole unit"))
                                          .req("saving", MONEY))
                                  .description(
                                      "the resources the sessions' reported use fits a smaller"
                                          + " size of; empty when none reports it")))));

  /** The answer. */
  record AdviceJson(String orgId, String currency, List<Advice> periods) {}

  private final OrgAccess access;
  private final AccountRepository accounts;
  private final Advisor advisor;

  public AdviceRoutes(OrgAccess access, AccountRepository accounts, Advisor advisor) {
    this.access = access;
    this.accounts = accounts;
    this.advisor = advisor;
  }

  public void register(DescribedRoutes routes) {
    routes.add(GET, JsonRoute.of(this::get));
  }

  static final Operation GET =
      Operation.get("/advice")
          .orgAdmin()
          .summary("Which plan and packs would have cost the organization less")
          .description(
              """
              Who: the organization's owner or an admin; a platform admin.

              `{"org_id","currency","periods":[{"period_start","period_end","closed","plan_id",\
              "paid","plans":[{"alone","with_pack"}],"cheapest","saving","packs":[...],\
              "right_sizing":[...]}]}`: \
              the last closed billing period, then the current one so far (`closed` false), each \
              priced again by the what-if for this organization at the prices in effect: `paid` \
              what its invoices of the period charge before credits (a draft, or the period so \
              far, as it would be finalized now); for each plan priced in its currency, what the \
              period would have cost on it all along (`alone`: \
              `{"plan_id","plan_name","pack_id":null,"pack_name":null,"total"}`) and with the pack \
              that brings it lowest (`with_pack`, a pack raising a counter's included amount, \
              bought at the period's start; null when none does); `cheapest` the lowest of those; \
              `saving` `paid` less its total (0 when nothing is cheaper); `packs` the packs that \
              on the plans it was on would have cost less than the overage they absorb \
              (`{"pack_id","name","meters","price","overage_paid","total","saving"}`); \
              `right_sizing` one entry per resource its sessions held at one size and reported \
              what they used of (`"used"` on session events): \
              `{"meter","held","p95_used","suggested","saving"}`, the time-weighted p95 of the \
              figures, the size it rounds up to (a whole unit, below `held`), and what the period \
              would have cost less with the sessions at that size (empty when no session reports \
              its use). A period the \
              organization was not in is left out. How it is priced: [The \
              advisor](../billing-rules.md#the-advisor). 401, 403 (a member), 404 for an \
              organization without a billing account.""")
          .params(Param.ORG_ID, Param.USER_ID)
          .answers(200, ADVICE)
          .errors(404);

  /** 200 with the advice; 401; 403 as {@link OrgAccess} decides (a member); 404. */
  AdviceJson get(HttpRequest request) throws Exception {
    String orgId = access.organization(request, MemberRole.ADMIN).id();
    Account account =
        accounts
            .find(orgId)
            .orElseThrow(() -> ApiException.notFound("no billing account for " + orgId));
    return new AdviceJson(
        orgId, account.currency().getCurrencyCode(), advisor.of(orgId, account.currency()));
  }
}
