package io.streamspace.billing.http;

import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamspace.billing.account.MemberRole;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.billing.support.InvoiceFixtures;
import io.streamspace.billing.support.OrgFixtures;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every endpoint that acts on an organization, called on team organization acme by each kind of
 * caller: without a token, as acme's member, admin and owner, as another organization's owner,
 * with a platform token and as the platform admin. A caller whose role does not allow the call
 * is refused (401, or 403 with the reason's code) and changes nothing; any other is let through
 * (its answer may still be a 400, 404 or 409 for what it asked: authorization is all this
 * checks).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthorizationMatrixTest {

  /**
   * An endpoint and the least role in the organization it needs, with the members of its body
   * beside {@code org_id} (on a GET or DELETE: the rest of its query).
   */
  record Endpoint(String route, MemberRole needs, String bodyMembers) {

    HttpMethod method() {
      return HttpMethod.valueOf(route.substring(0, route.indexOf(' ')));
    }

    /** The path, acme named by the query on a GET or DELETE. */
    String path() {
      String path = route.substring(route.indexOf(' ') + 1);
      if (hasBody()) {
        return path;
      }
      return path + "?org_id=acme" + (bodyMembers.isEmpty() ? "" : "&" + bodyMembers);
    }

    /** On a POST or PUT, acme named by the body. */
    String body() {
      if (!hasBody()) {
        return null;
      }
      return bodyMembers.isEmpty()
          ? "{\"org_id\": \"acme\"}"
          : "{\"org_id\": \"acme\", " + bodyMembers + "}";
    }

    private boolean hasBody() {
      return method() == HttpMethod.POST || method() == HttpMethod.PUT;
    }

    @Override
    public String toString() {
      return route;
    }
  }

  /** The callers, and what each may do in acme. */
  enum Who {
    NO_TOKEN(Caller.ANONYMOUS),
    MEMBER(user("mia")),
    ADMIN(user("adam")),
    OWNER(user("olivia")),
    OTHER_ORGANIZATIONS_OWNER(user("gus")),
    PLATFORM(new Caller("platform-service", Set.of(Caller.ROLE_PLATFORM))),
    PLATFORM_ADMIN(admin("root"));

    final Caller caller;

    Who(Caller caller) {
      this.caller = caller;
    }

    /** The error code an endpoint needing that role answers this caller; null: let through. */
    String refusal(MemberRole needs) {
      return switch (this) {
        case NO_TOKEN -> "unauthorized";
        case OTHER_ORGANIZATIONS_OWNER, PLATFORM -> "not_a_member";
        case MEMBER -> needs == MemberRole.MEMBER ? null : requiredCode(needs);
        case ADMIN -> needs == MemberRole.OWNER ? requiredCode(needs) : null;
        case OWNER, PLATFORM_ADMIN -> null;
      };
    }

    private static String requiredCode(MemberRole needs) {
      return needs == MemberRole.OWNER ? "owner_required" : "admin_required";
    }
  }

  private static final String URLS =
      "\"success_url\": \"https://example.com/ok\", \"cancel_url\": \"https://example.com/no\"";

  private static final List<Endpoint> ENDPOINTS =
      List.of(
          ownerOnly("POST /create-checkout", "\"plan_id\": \"pro\", " + URLS),
          ownerOnly("PUT /subscription", "\"plan_id\": \"pro\""),
          ownerOnly("POST /portal", "\"return_url\": \"https://example.com/back\""),
          ownerOnly("GET /payment-methods", ""),
          ownerOnly("PUT /spending-limit", "\"amount\": 50, \"action\": \"warn\""),
          ownerOnly("DELETE /spending-limit", ""),
          ownerOnly("PUT /top-up-rule", "\"threshold\": 5, \"target\": 20, \"max_per_month\": 50"),
          ownerOnly("DELETE /top-up-rule", ""),
          ownerOnly("POST /packs/{id}/purchase", ""),
          ownerOnly("POST /store/items/{id}/purchase", ""),
          ownerOnly("POST /purchases/{id}/cancel", ""),
          ownerOnly("POST /purchases/{id}/renew", ""),
          ownerOnly("POST /overage/confirm", "\"meter\": \"ai_queries\""),
          // nobody's: those let through are refused 400 user_id, so acme keeps its owner
          ownerOnly("POST /ownership-transfer", "\"user_id\": \"nobody\""),
          ownerOnly("PUT /seat-limit", "\"limit\": 8"),
          // no such code: those let through are refused 400 code, so acme redeems nothing
          ownerOnly("POST /redeem", "\"code\": \"NO-SUCH-CODE\""),
          adminOrOwner("GET /discount"),
          ownerOnly("DELETE /seat-limit", ""),
          adminOrOwner("GET /usage"),
          adminOrOwner("GET /usage/daily"),
          adminOrOwner("GET /costs/monthly"),
          adminOrOwner("GET /invoices"),
          adminOrOwner("GET /invoices/{id}"),
          adminOrOwner("GET /invoices/{id}/pdf"),
          adminOrOwner("GET /invoices/{id}/csv"),
          adminOrOwner("GET /invoices/{id}/lines/{n}/explain"),
          adminOrOwner("GET /invoices/{id}/credit-notes/{cn}/pdf"),
          adminOrOwner("GET /invoices/{id}/credit-notes/{cn}/csv"),
          adminOrOwner("GET /credits"),
          adminOrOwner("GET /balance"),
          adminOrOwner("GET /payments"),
          adminOrOwner("GET /purchases"),
          adminOrOwner("GET /store/purchases"),
          adminOrOwner("GET /spending-limit"),
          adminOrOwner("GET /top-up-rule"),
          adminOrOwner("GET /subscription"),
          new Endpoint(
              "PUT /member-caps",
              MemberRole.ADMIN,
              "\"user_id\": \"mia\", \"limits\": {\"active_sessions\": 1}"),
          adminOrOwner("DELETE /member-caps"),
          anyMember("GET /member-caps"),
          adminOrOwner("GET /seat-limit"),
          adminOrOwner("GET /forecast"),
          adminOrOwner("GET /advice"),
          adminOrOwner("GET /corrections"),
          // a member's budget: an admin's to set (the organization's own is its owner's)
          new Endpoint(
              "PUT /budgets",
              MemberRole.ADMIN,
              "\"member_id\": \"mia\", \"amount\": 10, \"period\": \"month\""),
          new Endpoint("DELETE /budgets", MemberRole.ADMIN, "member_id=mia"),
          anyMember("GET /budgets"),
          anyMember("GET /quota"),
          anyMember("GET /summary"),
          anyMember("GET /live"),
          anyMember("GET /packs"),
          anyMember("GET /plans"));

  /**
   * The routes no organization role opens: the platform admin's, the public ones, and the
   * caller's own list of organizations (tested on its own below).
   */
  // the store's creator routes go by the creator role, its catalog to any signed-in caller
  // (StoreItemsTest, CreatorStatementRoutesTest, StorePreviewsTest); the entitlements to the
  // platform as well as to members (StorePurchasesTest)
  private static final Set<String> NOT_BY_ORGANIZATION =
      Set.of(
          "GET /ui",
          "GET /ui/widget",
          "GET /ui/{asset}",
          "POST /webhook",
          "GET /organizations",
          "POST /store/items",
          "GET /store/items",
          "GET /store/items/{id}/preview",
          "GET /creator/items",
          "GET /entitlements",
          "GET /creator/statements",
          // creators' payouts go by the creator role too (CreatorPayoutsTest)
          "PUT /creator/payout-account",
          "GET /creator/payouts");

  private final BillingHarness billing = new BillingHarness(at("2026-03-10T12:00:00Z"));

  private long invoiceId;
  private long purchaseId;

  /**
   * Acme: owner olivia, admin adam, member mia, who ran a session under it (which opened its
   * account); an invoice and a pack purchase of acme's. Globex: owner gus.
   */
  @BeforeAll
  void acmeAndGlobex() {
    OrgFixtures.created("acme", "olivia", "2026-03-01T00:00:00Z");
    OrgFixtures.added("acme", "adam", "admin", "2026-03-01T00:00:00Z");
    OrgFixtures.added("acme", "mia", "member", "2026-03-01T00:00:00Z");
    OrgFixtures.created("globex", "gus", "2026-03-01T00:00:00Z");
    OrgFixtures.session(
        billing,
        "acme",
        "s1",
        "mia",
        "2026-03-02T09:00:00Z",
        "2026-03-02T12:00:00Z",
        size("2", "4", "0"));
    billing.calculateUsageAt("2026-03-10T12:00:00Z");
    invoiceId =
        InvoiceFixtures.invoice(
            "acme",
            "2026-02-01T00:00:00Z",
            "2026-03-01T00:00:00Z",
            "sent",
            "INV-2026-000001",
            "USD",
            "10.00",
            "0",
            "10.00",
            "2026-03-15T01:00:00Z",
            null);
    Answer bought =
        billing.call(
            HttpMethod.POST, "/packs/slots-5/purchase", user("olivia"), "{\"org_id\": \"acme\"}");
    assertEquals(201, bought.status(), bought.body().toString());
    purchaseId = bought.body().get("id").asLong();
  }

  @AfterAll
  void unload() {
    billing.close();
  }

  @Test
  void theMatrixCoversEveryEndpointButThePlatformAdminsAndThePublicOnes() {
    Set<String> byOrganization =
        billing.context.routes().registered().stream()
            .filter(route -> !route.contains(" /admin/") && !route.contains(" /jobs/"))
            .filter(route -> !NOT_BY_ORGANIZATION.contains(route))
            .collect(Collectors.toCollection(TreeSet::new));

    assertEquals(
        byOrganization,
        ENDPOINTS.stream().map(Endpoint::route).collect(Collectors.toCollection(TreeSet::new)));
  }

  /**
   * Each endpoint's role in the matrix is the one its declaration gives ({@code x-org-role} in
   * the API description): the calls below hold the handlers to the matrix, so this holds them to
   * what the document promises.
   */
  @Test
  void eachEndpointNeedsTheRoleItsDeclarationGives() throws Exception {
    JsonNode doc =
        new ObjectMapper().readTree(billing.context.routes().description().orElseThrow());
    Map<String, String> declared = new TreeMap<>();
    Map<String, String> matrix = new TreeMap<>();
    for (Endpoint endpoint : ENDPOINTS) {
      String path = endpoint.route().substring(endpoint.route().indexOf(' ') + 1);
      String method = endpoint.method().name().toLowerCase(Locale.ROOT);
      declared.put(
          endpoint.route(),
          doc.path("paths").path(path).path(method).path("x-org-role").asText("none"));
      matrix.put(endpoint.route(), endpoint.needs().name().toLowerCase(Locale.ROOT));
    }

    assertEquals(matrix, declared);
  }

  static Stream<Arguments> refusedCalls() {
    return calls(true);
  }

  static Stream<Arguments> allowedCalls() {
    return calls(false);
  }

  @ParameterizedTest(name = "{0} by {1}")
  @MethodSource("refusedCalls")
  void aCallerWhoseRoleDoesNotAllowTheCallIsRefusedWithItsReasonAndChangesNothing(
      Endpoint endpoint, Who who) {
    Map<String, String> tables = BillingHarness.tableContents();
    List<String> published = billing.context.published();

    Answer answer =
        billing.call(endpoint.method(), withIds(endpoint.path()), who.caller, endpoint.body());

    String code = who.refusal(endpoint.needs());
    assertEquals(who == Who.NO_TOKEN ? 401 : 403, answer.status(), answer.body().toString());
    assertEquals(code, answer.body().at("/error/code").asText(), answer.body().toString());
    assertEquals(tables, BillingHarness.tableContents(), "nothing stored or changed");
    assertEquals(published, billing.context.published(), "nothing published");
  }

  @ParameterizedTest(name = "{0} by {1}")
  @MethodSource("allowedCalls")
  void aCallerWhoseRoleAllowsTheCallIsLetThrough(Endpoint endpoint, Who who) {
    // the route's own answer (a PDF, a 409 while Stripe is off) is not this test's business
    HttpResponse response =
        billing
            .context
            .routes()
            .call(endpoint.method(), withIds(endpoint.path()), who.caller, endpoint.body());

    assertTrue(
        response.status() != 401 && response.status() != 403,
        endpoint + " by " + who + " answered " + response.status());
  }

  @ParameterizedTest(name = "by {0}")
  @EnumSource(Who.class)
  void aMembersOwnUsageInAcmeIsReadByThatMemberAndByWhoeverReadsAcmesUsage(Who who) {
    Answer answer =
        billing.call(HttpMethod.GET, "/usage?org_id=acme&member_id=mia", who.caller, null);

    String code =
        switch (who) {
          case NO_TOKEN -> "unauthorized";
          case OTHER_ORGANIZATIONS_OWNER, PLATFORM -> "not_a_member";
          case MEMBER, ADMIN, OWNER, PLATFORM_ADMIN -> null;
        };
    if (code == null) {
      assertEquals(200, answer.status(), answer.body().toString());
      assertEquals("mia", answer.body().get("member_id").asText());
    } else {
      assertEquals(code, answer.body().at("/error/code").asText(), answer.body().toString());
    }
  }

  @Test
  void aMemberNamingAnotherMembersUsageIsRefusedAdminRequired() {
    Answer answer =
        billing.call(HttpMethod.GET, "/usage?org_id=acme&member_id=adam", Who.MEMBER.caller, null);

    assertEquals(403, answer.status(), answer.body().toString());
    assertEquals("admin_required", answer.body().at("/error/code").asText());
  }

  @ParameterizedTest(name = "by {0}")
  @EnumSource(Who.class)
  void everyCallerListsTheirOwnOrganizationsOnly_noTokenNone(Who who) {
    Answer answer = billing.call(HttpMethod.GET, "/organizations", who.caller, null);

    // each caller's personal organization (their user id, owner), then the teams they are in
    String expected =
        switch (who) {
          case NO_TOKEN -> null;
          case MEMBER -> "mia owner, acme member";
          case ADMIN -> "adam owner, acme admin";
          case OWNER -> "olivia owner, acme owner";
          // no session opened globex's account: its memberships count once it opens
          case OTHER_ORGANIZATIONS_OWNER -> "gus owner";
          case PLATFORM -> "platform-service owner";
          case PLATFORM_ADMIN -> "root owner";
        };
    if (expected == null) {
      assertEquals(401, answer.status(), answer.body().toString());
      return;
    }
    assertEquals(200, answer.status(), answer.body().toString());
    List<String> listed = new ArrayList<>();
    answer
        .body()
        .get("organizations")
        .forEach(o -> listed.add(o.get("org_id").asText() + " " + o.get("role").asText()));
    assertEquals(expected, String.join(", ", listed));
  }

  private static Stream<Arguments> calls(boolean refused) {
    return ENDPOINTS.stream()
        .flatMap(
            endpoint ->
                Arrays.stream(Who.values())
                    .filter(who -> (who.refusal(endpoint.needs()) != null) == refused)
                    .map(who -> Arguments.of(endpoint, who)));
  }

  private static Endpoint ownerOnly(String route, String bodyMembers) {
    return new Endpoint(route, MemberRole.OWNER, bodyMembers);
  }

  private static Endpoint adminOrOwner(String route) {
    return new Endpoint(route, MemberRole.ADMIN, "");
  }

  private static Endpoint anyMember(String route) {
    return new Endpoint(route, MemberRole.MEMBER, "");
  }

  /** The path with acme's invoice, purchase, and a pack it may buy. */
  private String withIds(String path) {
    return path.replace("/invoices/{id}", "/invoices/" + invoiceId)
        .replace("/purchases/{id}", "/purchases/" + purchaseId)
        .replace("/packs/{id}", "/packs/slots-5")
        .replace("/lines/{n}", "/lines/1")
        .replace("/credit-notes/{cn}", "/credit-notes/1");
  }
}
