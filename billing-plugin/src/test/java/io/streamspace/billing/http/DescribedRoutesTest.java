package io.streamspace.billing.http;

import static io.streamspace.billing.http.Schema.array;
import static io.streamspace.billing.http.Schema.integer;
import static io.streamspace.billing.http.Schema.number;
import static io.streamspace.billing.http.Schema.object;
import static io.streamspace.billing.http.Schema.string;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamspace.billing.support.RouteTable;
import io.streamspace.plugin.api.http.HttpResponse;
import io.streamspace.plugin.api.http.RouteHandler;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The declaration of a route ({@link Operation}, {@link Schema}, {@link Param}, {@link Response})
 * and its registration with its handler ({@link DescribedRoutes}): what the document says of a
 * declaration, the components written once, and the mistakes refused when the plugin loads.
 */
class DescribedRoutesTest {

  private static final RouteHandler OK = request -> HttpResponse.json(200, "{}");

  private static final Schema LINE =
      Schema.component("Line", object().req("amount", number()).prop("note", string().orNull()));
  private static final Schema BILL =
      Schema.component(
          "Bill", object().req("id", integer()).req("lines", array(LINE)).description("a bill"));

  private final RouteTable table = new RouteTable();
  private final DescribedRoutes routes = new DescribedRoutes(table);

  @Test
  void anAdminRouteIsWrittenWithItsRolesBearerAndSharedRefusals() throws Exception {
    routes.add(
        Operation.post("/admin/bills")
            .admin()
            .summary("Make a bill")
            .description("Who: admin.\n\nMakes one.")
            .params(Param.IDEMPOTENCY_KEY)
            .body(LINE)
            .answers(201, BILL)
            .errors(400, 404),
        OK);

    JsonNode doc = described();
    JsonNode post = doc.at("/paths/~1admin~1bills/post");
    assertEquals("[\"admin\"]", post.get("x-roles").toString());
    assertFalse(post.has("x-org-role"));
    assertEquals("[{\"bearerAuth\":[]}]", post.get("security").toString());
    assertEquals("Who: admin.\n\nMakes one.", post.get("description").asText());
    assertEquals(
        "{\"$ref\":\"#/components/parameters/IdempotencyKey\"}",
        post.at("/parameters/0").toString());
    assertTrue(post.at("/requestBody/required").asBoolean());
    assertEquals(
        "#/components/schemas/Line",
        post.at("/requestBody/content/application~1json/schema/$ref").asText());
    assertEquals(List.of("201", "400", "401", "403", "404"), fieldNames(post.get("responses")));
    assertEquals("Created", post.at("/responses/201/description").asText());
    assertEquals("#/components/responses/Forbidden", post.at("/responses/403/$ref").asText());
    assertEquals(List.of("POST /admin/bills"), table.registered());
  }

  @Test
  void componentsAreWrittenOnceWithWhatTheyUseAndNothingElse() throws Exception {
    routes.add(get("/bills/{id}").orgAdmin().params(Param.ID).answers(200, BILL), OK);
    routes.add(get("/bills/{id}/copy").orgAdmin().params(Param.ID).answers(200, BILL), OK);

    JsonNode components = described().get("components");
    assertEquals(List.of("Bill", "Error", "Line"), fieldNames(components.get("schemas")));
    assertEquals(List.of("Id"), fieldNames(components.get("parameters")));
    assertEquals(List.of("AdminRequired", "Unauthorized"), fieldNames(components.get("responses")));
    assertEquals(
        "#/components/schemas/Line",
        components.at("/schemas/Bill/properties/lines/items/$ref").asText());
    assertEquals("[\"amount\"]", components.at("/schemas/Line/required").toString());
    assertEquals(
        "[\"string\",\"null\"]", components.at("/schemas/Line/properties/note/type").toString());
    assertEquals("bearer", components.at("/securitySchemes/bearerAuth/scheme").asText());
  }

  @Test
  void whoMayCallItDecidesTheRolesTheSecurityAndThe403() throws Exception {
    routes.add(get("/plan").owner().answers(200, object()), OK);
    routes.add(get("/usage").orgMember().answers(200, object()), OK);
    routes.add(get("/items").roles("creator").answers(200, object()).errors(403), OK);
    routes.add(get("/orgs").roles("user", "admin").answers(200, object()), OK);
    routes.add(get("/page").open().answers(200, Response.of("the page")), OK);

    JsonNode paths = described().get("paths");
    assertEquals("owner", paths.at("/~1plan/get/x-org-role").asText());
    assertEquals("[\"user\",\"admin\"]", paths.at("/~1plan/get/x-roles").toString());
    assertEquals(
        "#/components/responses/OwnerRequired",
        paths.at("/~1plan/get/responses/403/$ref").asText());
    assertEquals(
        "#/components/responses/MemberRequired",
        paths.at("/~1usage/get/responses/403/$ref").asText());
    assertEquals(
        "#/components/responses/Forbidden", paths.at("/~1items/get/responses/403/$ref").asText());
    assertEquals(List.of("200", "401"), fieldNames(paths.at("/~1orgs/get/responses")));
    assertEquals("[]", paths.at("/~1page/get/security").toString());
    assertEquals("[]", paths.at("/~1page/get/x-roles").toString());
    assertEquals(List.of("200"), fieldNames(paths.at("/~1page/get/responses")));
  }

  @Test
  void aSharedAnswerMayBeSaidMorePreciselyForOneRoute() throws Exception {
    routes.add(
        get("/bills")
            .owner()
            .answers(200, object())
            .answers(409, Response.CONFLICT.described("a conflict: bill_closed")),
        OK);

    JsonNode conflict = described().at("/paths/~1bills/get/responses/409");
    assertEquals("#/components/responses/Conflict", conflict.get("$ref").asText());
    assertEquals("a conflict: bill_closed", conflict.get("description").asText());
  }

  @Test
  void aRouteAddedTwiceIsRefused() {
    routes.add(get("/bills").owner().answers(200, object()), OK);

    assertThrows(
        IllegalStateException.class,
        () -> routes.add(get("/bills").owner().answers(200, object()), OK));
  }

  @Test
  void twoComponentsOfOneNameAreRefused() {
    Schema other = Schema.component("Line", object().req("total", number()));
    routes.add(get("/a").owner().answers(200, LINE), OK);
    routes.add(get("/b").owner().answers(200, other), OK);

    assertThrows(IllegalStateException.class, routes::describe);
  }

  @Test
  void anOperationThatSaysNotWhoMayCallItOrWhatItDoesIsRefused() {
    routes.add(Operation.get("/a").summary("A").description("a").answers(200, object()), OK);

    assertThrows(IllegalStateException.class, routes::describe);
  }

  @Test
  void aComponentIsNotChangedOnceDeclared() {
    assertThrows(IllegalStateException.class, () -> LINE.description("changed"));
    assertThrows(IllegalStateException.class, () -> LINE.prop("extra", string()));
    assertThrows(IllegalStateException.class, () -> LINE.definition().prop("extra", string()));
    assertThrows(IllegalStateException.class, () -> Response.NOT_FOUND.json(string()));
    assertThrows(
        IllegalStateException.class, () -> Param.LIMIT.definition().description("changed"));
  }

  /**
   * Registering a route freezes its declaration and what it holds: a shared schema used by one
   * route cannot then be changed by another's declaration, nor the route's own answers.
   */
  @Test
  void aRegisteredRoutesDeclarationAndWhatItHoldsNoLongerChange() {
    Schema shared = object().req("id", integer());
    Operation listed = get("/bills").roles("user").answers(200, array(shared));
    routes.add(listed, OK);

    assertThrows(IllegalStateException.class, () -> listed.summary("changed"));
    assertThrows(IllegalStateException.class, () -> listed.errors(400));
    assertThrows(IllegalStateException.class, () -> shared.prop("extra", string()));
    assertThrows(IllegalStateException.class, () -> shared.required("extra"));
    assertEquals(List.of("id"), shared.ownKeywords().get("required"), "unchanged");
  }

  private static Operation get(String path) {
    return Operation.get(path).summary("A route").description("What it does.");
  }

  private JsonNode described() throws Exception {
    routes.describe();
    return new ObjectMapper().readTree(table.description().orElseThrow());
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new java.util.ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
