package io.streamspace.host.plugins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.host.support.HostClient.Response;
import io.streamspace.host.support.HostTestBase;
import io.streamspace.host.support.LogCapture;
import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PluginAdminTest extends HostTestBase {

  @Test
  void listsInstalledPlugins() {
    Response response = http.get("/api/admin/plugins", ADMIN_TOKEN);
    assertEquals(200, response.status());
    JsonNode rec = response.body().at("/plugins/0");
    assertEquals("rec", rec.get("id").asText());
    assertEquals("Recording plugin", rec.get("name").asText());
    assertEquals("started", rec.get("state").asText());
    assertTrue(rec.get("enabled").asBoolean());
  }

  @Test
  void catalogShowsConfigSchemaWithJsonDefaults() {
    Response response = http.get("/api/admin/plugins/catalog", ADMIN_TOKEN);
    assertEquals(200, response.status());
    JsonNode schema = response.body().at("/plugins/0/config_schema");
    assertEquals("rate", schema.at("/0/name").asText());
    assertTrue(schema.at("/0/default").isNumber(), "default is a JSON value, not text");
    assertEquals(0, new BigDecimal("1.5").compareTo(schema.at("/0/default").decimalValue()));
    assertTrue(schema.at("/1/secret").asBoolean());
    assertTrue(schema.at("/0/values").isArray(), "a key's words, empty for a number");
    assertEquals(0, schema.at("/0/values").size());
  }

  @Test
  void refusesInvalidConfigAndStoresNothing() {
    Response response =
        http.call("PUT", "/api/admin/plugins/rec/config", ADMIN_TOKEN, "{\"rate\":-2}");
    assertEquals(400, response.status());
    assertEquals("invalid_config", response.body().at("/error/code").asText());
    assertEquals("rate", response.body().at("/error/field").asText());
    assertEquals("rate", response.body().at("/error/details/0/field").asText());
    assertFalse(plugin.context.config().json().contains("-2"));
  }

  @Test
  void savesValidConfigAndTellsThePlugin() {
    int before = plugin.configChanges.get();
    Response response =
        http.call("PUT", "/api/admin/plugins/rec/config", ADMIN_TOKEN, "{\"rate\":2.25}");

    assertEquals(200, response.status());
    assertEquals("****", response.body().get("apiKey").asText());
    assertEquals(before + 1, plugin.configChanges.get());
    assertEquals(new BigDecimal("2.25"), plugin.context.config().asMap().get("rate"));
    assertEquals("s3cret", plugin.context.config().secret("RECORDING_API_KEY").orElseThrow());
    Response read = http.get("/api/admin/plugins/rec/config", ADMIN_TOKEN);
    assertEquals(0, new BigDecimal("2.25").compareTo(read.body().get("rate").decimalValue()));
  }

  @Test
  void whatGetShowsCanBePutBackAsItIsAndTheMaskIsNeverStored() {
    JsonNode shown = http.get("/api/admin/plugins/rec/config", ADMIN_TOKEN).body();
    assertEquals("****", shown.get("apiKey").asText());

    Response put = http.put("/api/admin/plugins/rec/config", ADMIN_TOKEN, shown.toString());

    assertEquals(200, put.status(), put.toString());
    assertEquals(shown, put.body());
    assertFalse(plugin.context.config().json().contains("apiKey"), plugin.context.config().json());
    Response nullSecret =
        http.put("/api/admin/plugins/rec/config", ADMIN_TOKEN, "{\"rate\": 1.5, \"apiKey\": null}");
    assertEquals(200, nullSecret.status());
    assertFalse(plugin.context.config().json().contains("apiKey"), "null means not set");
  }

  @Test
  void aConfigChangeIsLoggedOnceWithTheCallerTheKeysAndValuesButNoSecretValue() {
    List<String> logged;
    try {
      logged =
          LogCapture.during(
              () ->
                  http.call(
                          "PATCH",
                          "/api/admin/plugins/rec/config",
                          ADMIN_TOKEN,
                          "{\"rate\": 3.5, \"apiKey\": \"sk_live_never_logged\"}")
                      .expect(200));
    } finally {
      // an empty secret removes the stored one
      http.call("PATCH", "/api/admin/plugins/rec/config", ADMIN_TOKEN, "{\"apiKey\": \"\"}");
    }

    List<String> changes =
        logged.stream().filter(line -> line.contains("Configuration of plugin")).toList();
    assertEquals(1, changes.size(), changes.toString());
    assertTrue(
        changes
            .get(0)
            .matches(
                "INFO Configuration of plugin rec changed by admin: apiKey changed \\(secret\\),"
                    + " rate \\S+ -> 3\\.5"),
        changes.get(0));
    assertTrue(logged.stream().noneMatch(line -> line.contains("sk_live_never_logged")));
  }

  @Test
  void aPluginReadsOnlyTheSecretsItsSchemaDeclares() {
    assertEquals(Optional.of("s3cret"), plugin.context.config().secret("RECORDING_API_KEY"));
    assertEquals(Optional.empty(), plugin.context.config().secret("BILLING_ADMIN_TOKEN"));
    assertEquals(Optional.empty(), plugin.context.config().secret("PATH"));
  }

  @Test
  void unknownPluginIs404() {
    assertEquals(404, http.post("/api/admin/plugins/nope/enable", ADMIN_TOKEN, "").status());
    assertEquals(404, http.get("/api/admin/plugins/nope/config", ADMIN_TOKEN).status());
    assertEquals(404, http.get("/api/plugins/nope/echo/x", null).status());
  }

  @Test
  void pluginRoutesGetCallerPathAndQuery() {
    String token = token("erin", "user");
    Response response = http.get("/api/plugins/rec/echo/hello?q=1", token);
    assertEquals(200, response.status());
    assertEquals("hello", response.body().get("name").asText());
    assertEquals("erin", response.body().get("user").asText());
    assertEquals("1", response.body().get("q").asText());
    assertEquals("null", http.get("/api/plugins/rec/echo/x", null).body().get("user").asText());
  }

  @Test
  void pluginRoutesRefuseUnknownTokenWrongMethodAndHideFailures() {
    assertEquals(401, http.get("/api/plugins/rec/echo/x", "bogus").status());
    assertEquals(405, http.post("/api/plugins/rec/echo/x", null, "").status());
    assertEquals(404, http.get("/api/plugins/rec/nothing", null).status());
    Response boom = http.get("/api/plugins/rec/boom", null);
    assertEquals(500, boom.status());
    assertFalse(boom.body().toString().contains("secret internal detail"));
  }

  @Test
  void disabledPluginServesNoRoutesAndGetsNoHooks() {
    String platform = token("platform-2", "platform");
    try {
      assertEquals(
          "disabled",
          http.post("/api/admin/plugins/rec/disable", ADMIN_TOKEN, "")
              .body()
              .get("state")
              .asText());
      assertEquals(
          200, http.post("/api/admin/plugins/rec/disable", ADMIN_TOKEN, "").status(), "idempotent");
      assertTrue(plugin.hooks.contains("onUnload"));
      assertEquals(404, http.get("/api/plugins/rec/echo/x", null).status());
      String event =
          "{\"id\":\"while-disabled\",\"type\":\"user.created\",\"occurred_at\":\"2025-06-01T11:00:00Z\",\"user\":{\"user_id\":\"z\"}}";
      assertEquals(202, http.post("/api/platform/events", platform, event).status());
      assertTrue(plugin.events.isEmpty());
    } finally {
      assertEquals(200, http.post("/api/admin/plugins/rec/enable", ADMIN_TOKEN, "").status());
    }
    assertEquals(200, http.get("/api/plugins/rec/echo/x", null).status());
  }
}
