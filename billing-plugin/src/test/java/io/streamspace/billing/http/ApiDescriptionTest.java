package io.streamspace.billing.http;

import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.billing.support.OrgFixtures;
import io.streamspace.billing.support.ThemeBundles;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpMethod;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI description the plugin hands the host: the very routes it registers, both ways,
 * a well-formed 3.1 document, and schemas that real answers fit.
 */
class ApiDescriptionTest {

  private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch");

  /** The routes anyone may call: the static pages and Stripe's webhook (its signature). */
  private static final Set<String> PUBLIC =
      Set.of("GET /ui", "GET /ui/widget", "GET /ui/{asset}", "POST /webhook");

  private static final Pattern PATH_PARAM = Pattern.compile("\\{([^}]+)}");

  private final BillingHarness billing = new BillingHarness(at("2026-03-01T00:00:00Z"));
  private final JsonNode doc = described();

  @AfterEach
  void unload() {
    billing.close();
  }

  @Test
  void everyRegisteredRouteIsDescribedAndEveryDescribedRouteIsRegistered() {
    Set<String> undescribed = new TreeSet<>(billing.context.routes().registered());
    undescribed.removeAll(operations().keySet());
    Set<String> unregistered = new TreeSet<>(operations().keySet());
    unregistered.removeAll(billing.context.routes().registered());

    assertEquals(Set.of(), undescribed, "registered routes the document lacks");
    assertEquals(Set.of(), unregistered, "described routes no handler serves");
  }

  @Test
  void theDocumentIsOpenApi31() {
    assertTrue(doc.path("openapi").asText().startsWith("3.1."), doc.path("openapi").asText());
    assertEquals("http", doc.at("/components/securitySchemes/bearerAuth/type").asText());
    assertEquals("bearer", doc.at("/components/securitySchemes/bearerAuth/scheme").asText());
  }

  @Test
  void everyOperationAnswersSomethingAndSaysItsAuthPublicOnesExplicitlyNone() {
    operations()
        .forEach(
            (route, operation) -> {
              assertTrue(operation.path("responses").size() > 0, route + " has no responses");
              JsonNode security = operation.get("security");
              assertTrue(security != null && security.isArray(), route + " has no security");
              if (PUBLIC.contains(route)) {
                assertEquals(0, security.size(), route + " is public");
              } else {
                assertEquals(
                    "[{\"bearerAuth\":[]}]", security.toString(), route + " needs a bearer");
                assertTrue(operation.path("responses").has("401"), route + " answers 401");
              }
            });
  }

  /**
   * Built from each route's declaration: who may call it agrees with its security (none for the
   * public routes, a bearer otherwise), an organization's role is one of three and, as the
   * platform admin's, refused with a 403; each says what it does.
   */
  @Test
  void everyOperationSaysWhoMayCallItConsistentlyAndWhatItDoes() {
    Set<String> orgRoles = Set.of("owner", "admin", "member");
    operations()
        .forEach(
            (route, operation) -> {
              assertTrue(!operation.path("summary").asText().isBlank(), route + " summary");
              assertTrue(!operation.path("description").asText().isBlank(), route + " says");
              JsonNode roles = operation.get("x-roles");
              assertTrue(roles != null && roles.isArray(), route + " has no x-roles");
              assertEquals(PUBLIC.contains(route), roles.isEmpty(), route + " x-roles " + roles);
              assertEquals(roles.isEmpty(), operation.path("security").isEmpty(), route);
              JsonNode orgRole = operation.get("x-org-role");
              if (orgRole != null) {
                assertTrue(orgRoles.contains(orgRole.asText()), route + " x-org-role " + orgRole);
                assertEquals("[\"user\",\"admin\"]", roles.toString(), route);
              }
              if (orgRole != null || roles.toString().equals("[\"admin\"]")) {
                assertTrue(operation.path("responses").has("403"), route + " answers 403");
              }
            });
  }

  @Test
  void everyComponentIsUsedByAnOperationOrAnotherComponent() {
    String paths = doc.get("paths").toString();
    List<String> unused = new ArrayList<>();
    doc.get("components")
        .fields()
        .forEachRemaining(
            kind -> {
              if (kind.getKey().equals("securitySchemes")) {
                return;
              }
              String rest = doc.get("components").toString();
              kind.getValue()
                  .fieldNames()
                  .forEachRemaining(
                      name -> {
                        String ref = "\"#/components/" + kind.getKey() + "/" + name + "\"";
                        if (!paths.contains(ref) && !rest.contains(ref)) {
                          unused.add(kind.getKey() + "/" + name);
                        }
                      });
            });

    assertEquals(List.of(), unused);
  }

  @Test
  void everyReferenceResolves() {
    List<String> unresolved = new ArrayList<>();
    references(doc, unresolved);

    assertEquals(List.of(), unresolved);
  }

  @Test
  void everyPathParameterIsDeclaredAndEveryDeclaredOneIsInThePath() {
    operations()
        .forEach(
            (route, operation) -> {
              Set<String> inPath = new TreeSet<>();
              Matcher m = PATH_PARAM.matcher(route);
              while (m.find()) {
                inPath.add(m.group(1));
              }
              Set<String> declared = new TreeSet<>();
              for (JsonNode parameter : operation.path("parameters")) {
                JsonNode resolved = resolve(parameter);
                if (resolved.path("in").asText().equals("path")) {
                  assertTrue(resolved.path("required").asBoolean(), route + " path param");
                  declared.add(resolved.path("name").asText());
                }
              }
              assertEquals(inPath, declared, route);
            });
  }

  @Test
  void realAnswersHaveWhatTheirSchemasRequire() {
    billing.userCreated("john", Map.of());
    billing.created("2026-03-02T08:00:00Z", "s1", "john", size("2", "4", "0"));
    billing.terminated("2026-03-02T18:00:00Z", "s1", "john");
    billing.calculateUsageAt("2026-03-03T00:00:00Z");
    billing.clock.set(at("2026-03-10T00:00:00Z"));
    Caller john = user("john");
    Caller root = admin("root");

    Answer invoice =
        call(
            HttpMethod.POST,
            "/admin/invoices",
            root,
            "{\"user_id\":\"john\",\"period_start\":\"2026-03-01\",\"period_end\":\"2026-03-03\", \"reason\": \"test\"}");
    fits("POST /admin/invoices", "201", invoice);
    String invoicePath = "/invoices/" + invoice.body().path("id").asLong();
    fits("GET /invoices/{id}", "200", call(HttpMethod.GET, invoicePath, john, null));
    fits(
        "GET /invoices/{id}/lines/{n}/explain",
        "200",
        call(HttpMethod.GET, invoicePath + "/lines/1/explain", john, null));
    fits(
        "POST /admin/credits",
        "201",
        call(
            HttpMethod.POST,
            "/admin/credits",
            root,
            "{\"user_id\":\"john\",\"amount\":5,\"reason\":\"welcome\"}"));
    fits(
        "POST /admin/balance",
        "201",
        call(
            HttpMethod.POST,
            "/admin/balance",
            root,
            "{\"org_id\":\"john\",\"amount\":5,\"currency\":\"USD\",\"reason\":\"wire\"}"));
    fits(
        "PUT /spending-limit",
        "200",
        call(HttpMethod.PUT, "/spending-limit", john, "{\"amount\":50,\"action\":\"warn\"}"));
    for (String route :
        List.of(
            "GET /usage",
            "GET /usage/daily",
            "GET /subscription",
            "GET /plans",
            "GET /quota",
            "GET /spending-limit",
            "GET /live",
            "GET /top-up-rule",
            "GET /costs/monthly",
            "GET /credits",
            "GET /balance",
            "GET /invoices",
            "GET /packs",
            "GET /purchases",
            "GET /payments",
            "GET /organizations")) {
      fits(route, "200", call(HttpMethod.GET, route.substring(4), john, null));
    }
    for (String route :
        List.of(
            "GET /jobs/status",
            "GET /admin/users",
            "GET /admin/quotas",
            "GET /admin/dashboard",
            "GET /admin/payments",
            "GET /admin/reports",
            "GET /admin/audit",
            "GET /admin/audit/verify")) {
      fits(route, "200", call(HttpMethod.GET, route.substring(4), root, null));
    }
    String correction =
        "{\"reason\":\"4 cores\",\"items\":[{\"amend\":{\"session_id\":\"s1\","
            + "\"from\":\"2026-03-02T10:00:00Z\",\"to\":\"2026-03-02T12:00:00Z\","
            + "\"cpu_cores\":4}}]}";
    fits(
        "POST /admin/corrections",
        "200",
        call(HttpMethod.POST, "/admin/corrections?preview=true", root, correction));
    fits(
        "POST /admin/corrections",
        "201",
        call(HttpMethod.POST, "/admin/corrections", root, correction));
    fits("GET /corrections", "200", call(HttpMethod.GET, "/corrections", john, null));
    fits(
        "POST /admin/what-if",
        "200",
        call(
            HttpMethod.POST,
            "/admin/what-if",
            root,
            "{\"period_start\":\"2026-03-01\",\"period_end\":\"2026-04-01\","
                + "\"rates\":{\"cpu_per_core_hour\":0.10}}"));
    fits("GET /usage", "200", call(HttpMethod.GET, "/usage?member_id=john", john, null));
    fits("GET /usage", "400", call(HttpMethod.GET, "/usage?from=bad", john, null));
    fits("GET /usage", "403", call(HttpMethod.GET, "/usage?user_id=ann", john, null));
    fits("GET /usage", "401", call(HttpMethod.GET, "/usage", Caller.ANONYMOUS, null));
    fits("GET /invoices/{id}", "404", call(HttpMethod.GET, "/invoices/99", john, null));
    OrgFixtures.created("acme", "olivia", "2026-03-01T00:00:00Z");
    OrgFixtures.added("acme", "john", "admin", "2026-03-01T00:00:00Z");
    OrgFixtures.session(
        billing,
        "acme",
        "s2",
        "john",
        "2026-03-02T08:00:00Z",
        "2026-03-02T09:00:00Z",
        size("1", "1", "0"));
    billing.flush();
    fits(
        "POST /ownership-transfer",
        "200",
        call(
            HttpMethod.POST,
            "/ownership-transfer",
            user("olivia"),
            "{\"org_id\":\"acme\",\"user_id\":\"john\"}"));

    Caller cara = new Caller("cara", Set.of("user", Caller.ROLE_CREATOR));
    Answer submitted =
        billing.call(
            HttpMethod.POST,
            "/store/items",
            cara,
            ThemeBundles.good("Midnight", "1.0.0"),
            "application/zip");
    fits("POST /store/items", "201", submitted);
    fits(
        "POST /store/items",
        "422",
        billing.call(
            HttpMethod.POST,
            "/store/items",
            cara,
            ThemeBundles.breakingTwoRules(),
            "application/zip"));
    fits("GET /admin/store/queue", "200", call(HttpMethod.GET, "/admin/store/queue", root, null));
    String item = "/admin/store/items/" + submitted.body().path("id").asLong();
    fits(
        "POST /admin/store/items/{id}/approve",
        "200",
        call(HttpMethod.POST, item + "/approve", root, "{\"reason\": \"ok\"}"));
    fits("GET /store/items", "200", call(HttpMethod.GET, "/store/items", john, null));
    fits("GET /creator/items", "200", call(HttpMethod.GET, "/creator/items", cara, null));
    fits("GET /admin/analytics", "200", call(HttpMethod.GET, "/admin/analytics", root, null));
    Answer bought =
        call(
            HttpMethod.POST,
            "/store/items/" + submitted.body().path("id").asLong() + "/purchase",
            john,
            null);
    fits("POST /store/items/{id}/purchase", "201", bought);
    fits("GET /store/purchases", "200", call(HttpMethod.GET, "/store/purchases", john, null));
    fits("GET /entitlements", "200", call(HttpMethod.GET, "/entitlements", john, null));
    fits(
        "POST /admin/store/purchases/{id}/refund",
        "200",
        call(
            HttpMethod.POST,
            "/admin/store/purchases/" + bought.body().at("/purchase/id").asLong() + "/refund",
            root,
            "{\"reason\": \"test\"}"));
    fits(
        "GET /creator/statements",
        "200",
        call(HttpMethod.GET, "/creator/statements?period=2026-03", cara, null));
    fits(
        "GET /admin/store/revenue",
        "200",
        call(HttpMethod.GET, "/admin/store/revenue?period=2026-03", root, null));
    fits(
        "POST /admin/store/items/{id}/delist",
        "200",
        call(HttpMethod.POST, item + "/delist", root, "{\"reason\": \"copied\"}"));
    fits(
        "PUT /creator/payout-account",
        "200",
        call(HttpMethod.PUT, "/creator/payout-account", cara, "{\"stripe_account\": \"acct_1\"}"));
    fits(
        "POST /admin/store/payouts/run",
        "200",
        call(
            HttpMethod.POST,
            "/admin/store/payouts/run",
            root,
            "{\"period\": \"2026-02\", \"reason\": \"February closed\"}"));
    fits("GET /creator/payouts", "200", call(HttpMethod.GET, "/creator/payouts", cara, null));
    fits(
        "GET /admin/store/payouts",
        "200",
        call(HttpMethod.GET, "/admin/store/payouts?status=paid", root, null));
    fits(
        "POST /admin/audit/checkpoints",
        "503",
        call(HttpMethod.POST, "/admin/audit/checkpoints", root, null));
    billing.context.setSecret("BILLING_AUDIT_KEY", "a-key");
    Answer checkpoint = call(HttpMethod.POST, "/admin/audit/checkpoints", root, null);
    fits("POST /admin/audit/checkpoints", "201", checkpoint);
    String taken = checkpoint.body().toString();
    fits(
        "POST /admin/audit/verify",
        "200",
        call(HttpMethod.POST, "/admin/audit/verify", root, taken));
    String forged =
        ((com.fasterxml.jackson.databind.node.ObjectNode) checkpoint.body().deepCopy())
            .put("signature", "0".repeat(64))
            .toString();
    fits(
        "POST /admin/audit/verify",
        "422",
        call(HttpMethod.POST, "/admin/audit/verify", root, forged));
  }

  private Answer call(HttpMethod method, String path, Caller caller, String body) {
    return billing.call(method, path, caller, body);
  }

  /** The answer has the status and every property the documented schema requires. */
  private void fits(String route, String status, Answer answer) {
    assertEquals(Integer.parseInt(status), answer.status(), route + ": " + answer.body());
    JsonNode response = resolve(operations().get(route).path("responses").path(status));
    JsonNode schema = response.at("/content/application~1json/schema");
    assertTrue(!schema.isMissingNode(), route + " documents no JSON answer for " + status);
    List<String> problems = new ArrayList<>();
    check(schema, answer.body(), route + " " + status, problems);
    assertEquals(List.of(), problems);
  }

  /** A small check of a value against a schema: types, required properties, items. */
  private void check(JsonNode schema, JsonNode value, String at, List<String> problems) {
    schema = resolve(schema);
    for (JsonNode part : schema.path("allOf")) {
      check(part, value, at, problems);
    }
    if (schema.has("oneOf")) {
      JsonNode branch = null;
      for (JsonNode option : schema.get("oneOf")) {
        boolean isNull = "null".equals(option.path("type").asText());
        if (isNull == value.isNull()) {
          branch = option;
        }
      }
      if (branch == null) {
        problems.add(at + ": " + value + " is none of " + schema.get("oneOf"));
      } else {
        check(branch, value, at, problems);
      }
      return;
    }
    JsonNode type = schema.get("type");
    if (type == null) {
      return;
    }
    Set<String> types = new TreeSet<>();
    if (type.isArray()) {
      type.forEach(t -> types.add(t.asText()));
    } else {
      types.add(type.asText());
    }
    String actual = typeOf(value);
    if (!types.contains(actual) && !(actual.equals("integer") && types.contains("number"))) {
      problems.add(at + ": " + actual + " where " + types + " is documented");
      return;
    }
    if (value.isObject()) {
      for (JsonNode required : schema.path("required")) {
        if (!value.has(required.asText())) {
          problems.add(at + ": lacks " + required.asText());
        }
      }
      Iterator<Map.Entry<String, JsonNode>> properties = schema.path("properties").fields();
      while (properties.hasNext()) {
        Map.Entry<String, JsonNode> property = properties.next();
        if (value.has(property.getKey())) {
          check(
              property.getValue(),
              value.get(property.getKey()),
              at + "." + property.getKey(),
              problems);
        }
      }
    } else if (value.isArray()) {
      for (int i = 0; i < value.size(); i++) {
        check(schema.path("items"), value.get(i), at + "[" + i + "]", problems);
      }
    }
  }

  private static String typeOf(JsonNode value) {
    if (value.isIntegralNumber()) {
      return "integer";
    }
    return value.isNumber() ? "number" : value.getNodeType().name().toLowerCase(Locale.ROOT);
  }

  /** Each operation by {@code "METHOD /path"}. */
  private Map<String, JsonNode> operations() {
    Map<String, JsonNode> operations = new TreeMap<>();
    doc.path("paths")
        .fields()
        .forEachRemaining(
            path ->
                path.getValue()
                    .fields()
                    .forEachRemaining(
                        operation -> {
                          if (METHODS.contains(operation.getKey())) {
                            operations.put(
                                operation.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey(),
                                operation.getValue());
                          }
                        }));
    return operations;
  }

  private JsonNode resolve(JsonNode node) {
    while (node.has("$ref")) {
      node = doc.at(node.get("$ref").asText().substring(1));
    }
    return node;
  }

  private void references(JsonNode node, List<String> unresolved) {
    if (node.has("$ref")) {
      String ref = node.get("$ref").asText();
      if (!ref.startsWith("#/") || doc.at(ref.substring(1)).isMissingNode()) {
        unresolved.add(ref);
      }
    }
    node.elements().forEachRemaining(child -> references(child, unresolved));
  }

  private JsonNode described() {
    String json =
        billing
            .context
            .routes()
            .description()
            .orElseThrow(() -> new AssertionError("the plugin described no routes"));
    try {
      return new ObjectMapper().readTree(json);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
