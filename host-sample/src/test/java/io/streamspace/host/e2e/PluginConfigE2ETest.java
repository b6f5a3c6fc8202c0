package io.streamspace.host.e2e;

import static io.streamspace.host.e2e.UsageLines.amount;
import static io.streamspace.host.e2e.UsageLines.line;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamspace.host.support.HostClient;
import io.streamspace.host.support.LogCapture;
import io.streamspace.plugin.api.config.PluginConfig;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * An admin configures the billing plugin through the host's catalog endpoints: bad config is
 * refused naming the key with nothing changed, secrets set there are stored encrypted and masked
 * (the environment's win),
 * a valid change (new rates, a new cron) takes effect without a restart, what GET shows can be
 * put back as it is, and a PATCH changes only what it names. Every change needs a reason
 * ({@code X-Audit-Log-Reason}) and leaves a {@code config.changed} entry in the billing audit
 * trail, in the transaction that saves it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PluginConfigE2ETest extends BillingHostTestBase {

  private static final String SECRET = "sk_test_do-not-echo-4242";
  private static final String TYPED_KEY = "sk_live_typed-into-config";
  private static final String WEBHOOK_SECRET = "whsec_typed-into-config-77";
  private static final String CONFIG = "/api/admin/plugins/billing/config";

  @Override
  Map<String, String> secrets() {
    return Map.of("STRIPE_SECRET_KEY", SECRET);
  }

  private HostClient.Response putConfig(Map<String, Object> config) {
    return api.http.call(
        "PUT", CONFIG, api.adminToken, HostClient.json(config), HostClient.CONFIG_REASON);
  }

  private JsonNode config() {
    return api.http.get(CONFIG, api.adminToken).expect(200);
  }

  @Test
  @Order(1)
  void theCatalogListsTheBillingPluginWithItsConfigSchemaAndDefaults() {
    JsonNode catalog = api.http.get("/api/admin/plugins/catalog", api.adminToken).expect(200);
    JsonNode billing = catalog.get("plugins").get(0);
    assertEquals("billing", billing.get("id").asText());
    assertEquals("0.3.0", billing.get("version").asText());
    String schema = billing.get("config_schema").toString();
    assertTrue(schema.contains("\"name\":\"invoiceDay\""), schema);
    assertTrue(schema.contains("\"name\":\"computeRates.cpu_per_core_hour\""), schema);
    assertTrue(schema.contains("\"name\":\"quotaCheckInterval\""), schema);
    assertTrue(schema.contains("\"name\":\"meterRates.ai_queries\""), schema);
    assertTrue(schema.contains("\"name\":\"currencyMeterRates\""), schema);
  }

  @Test
  @Order(2)
  void invalidValues_areRefusedNamingTheKey_andNothingChanges() {
    JsonNode before = config();
    assertRefused(Map.of("invoiceDay", 31), "invoiceDay");
    assertRefused(Map.of("billingMode", "free-for-all"), "billingMode");
    assertRefused(
        Map.of("computeRates", Map.of("cpu_per_core_hour", -1)), "computeRates.cpu_per_core_hour");
    assertRefused(Map.of("usageCalculationInterval", "every hour"), "usageCalculationInterval");
    assertRefused(Map.of("invoiceDya", 2), "invoiceDya");
    assertEquals(before, config(), "a refused config changes nothing");
  }

  @Test
  @Order(3)
  void secrets_areAcceptedStoredEncryptedMaskedOnRead_andTheEnvironmentWins() {
    JsonNode refused = putConfig(Map.of("stripeEnabled", true)).expect(400);
    assertEquals("invalid_config", refused.get("error").get("code").asText(), refused.toString());
    assertEquals("stripeWebhookSecret", refused.get("error").get("field").asText());
    assertFalse(config().get("stripeEnabled").asBoolean(), "a refused config changes nothing");

    List<String> logged =
        LogCapture.during(
            () ->
                putConfig(
                        Map.of(
                            "stripeEnabled",
                            true,
                            "stripeSecretKey",
                            TYPED_KEY,
                            "stripeWebhookSecret",
                            WEBHOOK_SECRET))
                    .expect(200));

    JsonNode shown = config();
    assertEquals("****", shown.get("stripeSecretKey").asText());
    assertEquals("****", shown.get("stripeWebhookSecret").asText());
    assertTrue(shown.get("stripeEnabled").asBoolean(), shown.toString());
    assertFalse(shown.toString().contains(WEBHOOK_SECRET) || shown.toString().contains(SECRET));
    String stored = savedConfig();
    assertFalse(stored.contains("stripeSecretKey") || stored.contains(WEBHOOK_SECRET), stored);
    String storedSecrets = storedSecrets();
    assertTrue(storedSecrets.contains("\"stripeWebhookSecret\": \"v1:"), storedSecrets);
    assertFalse(
        storedSecrets.contains(WEBHOOK_SECRET) || storedSecrets.contains(TYPED_KEY), storedSecrets);

    PluginConfig plugin = billing.pluginConfig("billing");
    assertEquals(Optional.of(SECRET), plugin.secret("STRIPE_SECRET_KEY"), "the environment wins");
    assertEquals(Optional.of(WEBHOOK_SECRET), plugin.secret("STRIPE_WEBHOOK_SECRET"));

    assertTrue(
        logged.stream()
            .anyMatch(
                line ->
                    line.matches(
                        "INFO Configuration of plugin billing changed by admin: stripeEnabled"
                            + " \\S+ -> true, stripeSecretKey changed \\(secret\\),"
                            + " stripeWebhookSecret changed \\(secret\\)")),
        logged.toString());
    assertTrue(
        logged.stream().noneMatch(l -> l.contains(WEBHOOK_SECRET) || l.contains(TYPED_KEY)),
        logged.toString());
  }

  @Test
  @Order(4)
  void newRatesAndANewCron_takeEffectWithoutARestart() {
    JsonNode saved =
        putConfig(
                Map.of(
                    "computeRates",
                    Map.of("cpu_per_core_hour", 0.07, "memory_per_gb_hour", 0.02),
                    "usageCalculationInterval",
                    "*/15 * * * *"))
            .expect(200);
    assertEquals(
        "0.07", saved.get("computeRates").get("cpu_per_core_hour").decimalValue().toPlainString());

    String user = newUser("ivan");
    api.postEvents(
        platformToken,
        List.of(
            Events.sessionCreated(
                "s-" + user, user, Instant.parse("2026-03-10T01:00:00Z"), "2", "4", "0"),
            Events.sessionTerminated("s-" + user, user, Instant.parse("2026-03-10T11:00:00Z"))));
    api.runJob("calculate-usage");

    JsonNode usage = usageOn(api.token(user, "user"), "2026-03-10", "2026-03-11");
    assertEquals("1.40", amount(line(usage, "cpu"), "total_cost"), "20 core-hours at the new 0.07");
    assertEquals(
        "0.80", amount(line(usage, "memory"), "total_cost"), "40 GB-hours at the new 0.02");

    JsonNode jobs = api.http.get("/api/plugins/billing/jobs/status", api.adminToken).expect(200);
    assertTrue(jobs.toString().contains("\"cron\":\"*/15 * * * *\""), jobs.toString());
  }

  @Test
  @Order(5)
  void whatGetShows_putBackAsItIs_changesNothing_andStoresNoSecret() {
    JsonNode shown = config();
    assertEquals("****", shown.get("stripeSecretKey").asText());
    assertEquals("****", shown.get("stripeWebhookSecret").asText());
    String secretsBefore = storedSecrets();

    JsonNode saved =
        api.http
            .call("PUT", CONFIG, api.adminToken, shown.toString(), HostClient.CONFIG_REASON)
            .expect(200);

    assertEquals(shown, saved);
    assertEquals(shown, config());
    assertEquals(secretsBefore, storedSecrets(), "the stored secrets are as they were");
    assertEquals(
        Optional.of(WEBHOOK_SECRET),
        billing.pluginConfig("billing").secret("STRIPE_WEBHOOK_SECRET"));
    String stored = savedConfig();
    assertFalse(
        stored.contains("stripeSecretKey") || stored.contains("stripeWebhookSecret"), stored);
    assertFalse(stored.contains("****"), stored);
  }

  @Test
  @Order(6)
  void aPatchOfOneKey_keepsEveryOtherKey_andMergesObjects() {
    JsonNode before = config();

    JsonNode patched =
        patchConfig("{\"invoiceDay\": 15, \"computeRates\": {\"memory_per_gb_hour\": 0.03}}")
            .expect(200);

    assertEquals(15, patched.get("invoiceDay").asInt());
    assertEquals(
        "0.03", patched.at("/computeRates/memory_per_gb_hour").decimalValue().toPlainString());
    assertEquals(
        "0.07",
        patched.at("/computeRates/cpu_per_core_hour").decimalValue().toPlainString(),
        "the other rate of the object is kept");
    assertEquals("*/15 * * * *", patched.get("usageCalculationInterval").asText());
    ObjectNode expected = before.deepCopy();
    expected.put("invoiceDay", 15);
    ((ObjectNode) expected.get("computeRates")).put("memory_per_gb_hour", new BigDecimal("0.03"));
    assertEquals(expected.toString(), patched.toString(), "nothing else changed");
  }

  @Test
  @Order(7)
  void aPatchOfNull_takesAKeyBackToItsDefault() {
    JsonNode patched =
        patchConfig("{\"invoiceDay\": null, \"computeRates\": {\"cpu_per_core_hour\": null}}")
            .expect(200);

    assertEquals(1, patched.get("invoiceDay").asInt());
    assertEquals(
        "0.05", patched.at("/computeRates/cpu_per_core_hour").decimalValue().toPlainString());
    assertEquals(
        "0.03", patched.at("/computeRates/memory_per_gb_hour").decimalValue().toPlainString());
    assertFalse(
        savedConfig().contains("invoiceDay"), "removed from the saved config, not set to null");
  }

  @Test
  @Order(8)
  void anInvalidPatch_isRefusedNamingTheKey_andChangesNothing() {
    JsonNode before = config();
    String stored = savedConfig();
    String secretsStored = storedSecrets();

    JsonNode badDay = patchConfig("{\"invoiceDay\": 31, \"billingMode\": \"hybrid\"}").expect(400);
    JsonNode badRate =
        patchConfig("{\"computeRates\": {\"cpu_per_core_hour\": 1e308}}").expect(400);
    JsonNode secret =
        patchConfig("{\"stripeSecretKey\": \"sk_live_typed-into-a-patch\", \"invoiceDay\": 0}")
            .expect(400);
    JsonNode notText = patchConfig("{\"stripeWebhookSecret\": 4242}").expect(400);
    JsonNode trailing = patchConfig("{\"invoiceDay\": 2} {\"invoiceDay\": 3}").expect(400);
    JsonNode nul =
        patchConfig(
                "{\"subscriptionPlans\": [{\"id\": \"free\", \"name\": \"Free\\u0000\","
                    + " \"price\": 0, \"interval\": \"month\"}]}")
            .expect(400);

    assertEquals("invoiceDay", badDay.at("/error/field").asText());
    assertEquals("computeRates.cpu_per_core_hour", badRate.at("/error/field").asText());
    assertEquals("invoiceDay", secret.at("/error/field").asText());
    assertFalse(secret.toString().contains("sk_live"), "never echoes a secret");
    assertEquals("stripeWebhookSecret", notText.at("/error/field").asText());
    assertEquals(secretsStored, storedSecrets(), "a refused change stores no secret");
    assertEquals("invalid_json", trailing.at("/error/code").asText());
    assertEquals(
        "subscriptionPlans[0].name", nul.at("/error/field").asText(), "jsonb holds no NUL");
    assertEquals(before, config());
    assertEquals(stored, savedConfig());
  }

  @Test
  @Order(9)
  void aPut_replacesTheWholeSavedConfig_keysLeftOutGoBackToTheirDefaults() {
    JsonNode saved = putConfig(Map.of("invoiceDay", 10)).expect(200);

    assertEquals(10, saved.get("invoiceDay").asInt());
    assertEquals(
        "0.01", saved.at("/computeRates/memory_per_gb_hour").decimalValue().toPlainString());
    assertEquals("0 * * * *", saved.get("usageCalculationInterval").asText());
  }

  @Test
  @Order(10)
  void aPatchOfOnePlansLimit_takesEffectWithoutARestart_andABadKindIsRefusedNamingIt() {
    ObjectNode plans = onlyKey("subscriptionPlans", config());
    ObjectNode free = (ObjectNode) plans.get("subscriptionPlans").get(0);
    assertEquals("free", free.get("id").asText());
    assertEquals("hard", free.at("/limits/storage_gb/kind").asText());
    ((ObjectNode) free.get("limits"))
        .putObject("storage_gb")
        .put("limit", new BigDecimal("5"))
        .put("kind", "soft");

    JsonNode patched = patchConfig(plans.toString()).expect(200);

    assertEquals("5", patched.at("/subscriptionPlans/0/limits/storage_gb/limit").asText());
    assertEquals("soft", patched.at("/subscriptionPlans/0/limits/storage_gb/kind").asText());
    assertTrue(
        patched.at("/subscriptionPlans/0/storage_limit").isMissingNode(),
        "the storage_gb limit is shown once, in limits");
    assertEquals("2", patched.at("/subscriptionPlans/0/cpu_limit").asText());
    assertEquals(patched, config());

    ((ObjectNode) free.get("limits")).putObject("ai_queries").put("limit", 10).put("kind", "x");
    JsonNode refused = patchConfig(plans.toString()).expect(400);

    assertEquals("invalid_config", refused.at("/error/code").asText());
    assertEquals(
        "subscriptionPlans[0].limits.ai_queries.kind", refused.at("/error/field").asText());
    assertEquals(patched, config());
  }

  @Test
  @Order(11)
  void aChangeWithoutAReason_isRefusedNamingReason_andNothingIsSavedOrAudited() throws Exception {
    JsonNode before = config();
    long entries = configEntries();

    JsonNode refused =
        api.http.call("PATCH", CONFIG, api.adminToken, "{\"invoiceDay\": 21}").expect(400);

    assertEquals("invalid_config", refused.at("/error/code").asText());
    assertEquals("reason", refused.at("/error/field").asText());
    assertEquals(before, config());
    assertEquals(entries, configEntries());
  }

  @Test
  @Order(12)
  void aChangeWithAReason_isAuditedInTheBillingTrail_withTheDecodedReasonAndTheRequestId() {
    api.http
        .call(
            "PATCH",
            CONFIG,
            api.adminToken,
            "{\"computeRates\": {\"cpu_per_core_hour\": 0.07}}",
            Map.of(
                "X-Audit-Log-Reason", "CPU%20d%C3%A9j%C3%A0%20plus%20cher%3A%20%2B40%25",
                "X-Request-Id", "req-config-12"))
        .expect(200);

    JsonNode entry =
        api.http
            .get("/api/plugins/billing/admin/audit?kind=config.changed&limit=1", api.adminToken)
            .expect(200)
            .get("entries")
            .get(0);
    assertEquals("admin", entry.get("actor_type").asText(), entry.toString());
    assertEquals("CPU déjà plus cher: +40%", entry.get("reason").asText());
    assertEquals("req-config-12", entry.get("request_id").asText());
    // the keys the saved config changed (here the whole computeRates object: the config saved
    // before had none), each with its value in effect before and after
    assertTrue(
        entry.get("before").toString().contains("\"cpu_per_core_hour\":0.05"), entry.toString());
    assertTrue(
        entry.get("after").toString().contains("\"cpu_per_core_hour\":0.07"), entry.toString());
    assertTrue(entry.get("org_id").isNull(), "platform-wide");
  }

  /**
   * The entry is written in the transaction that saves the config: when the trail refuses it
   * (a trigger stands in for a failing write), the config is not saved either.
   */
  @Test
  @Order(13)
  void whenItsEntryCannotBeWritten_theConfigIsNotSavedEither() throws Exception {
    JsonNode before = config();
    String saved = savedConfig();
    sql(
        """
        CREATE FUNCTION refuse_config_entries() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'the trail is down'; END $$;
        CREATE TRIGGER refuse_config_entries BEFORE INSERT ON billing_audit_entries
        FOR EACH ROW WHEN (NEW.kind = 'config.changed') EXECUTE FUNCTION refuse_config_entries();
        """);
    try {
      HostClient.Response failed = patchConfig("{\"invoiceDay\": 22}");

      assertTrue(failed.status() >= 500, failed.toString());
      assertEquals(saved, savedConfig());
      assertEquals(before, config());
    } finally {
      sql(
          "DROP TRIGGER refuse_config_entries ON billing_audit_entries;"
              + " DROP FUNCTION refuse_config_entries()");
    }
  }

  @Test
  @Order(14)
  void aReasonThatIsNotPercentEncoded_isRefusedNamingTheHeader() {
    JsonNode refused =
        api.http
            .call(
                "PATCH",
                CONFIG,
                api.adminToken,
                "{\"invoiceDay\": 23}",
                Map.of("X-Audit-Log-Reason", "50%ZZ off"))
            .expect(400);

    assertEquals("X-Audit-Log-Reason", refused.at("/error/field").asText());
  }

  private long configEntries() throws SQLException {
    return Long.parseLong(
        text("SELECT count(*) FROM billing_audit_entries WHERE kind = 'config.changed'"));
  }

  /** A patch of one key, as the config shows it. */
  private static ObjectNode onlyKey(String key, JsonNode config) {
    ObjectNode patch = config.deepCopy();
    patch.retain(key);
    return patch;
  }

  private HostClient.Response patchConfig(String patch) {
    return api.http.call("PATCH", CONFIG, api.adminToken, patch, HostClient.CONFIG_REASON);
  }

  /** The config as the host stored it. */
  private String savedConfig() {
    return billingRow("config");
  }

  /** The secrets as the host stored them. */
  private String storedSecrets() {
    return billingRow("secrets");
  }

  private String billingRow(String column) {
    try (Connection connection = DriverManager.getConnection(dbUrl);
        Statement statement = connection.createStatement();
        ResultSet row =
            statement.executeQuery(
                "SELECT " + column + "::text FROM host_plugins WHERE plugin_id = 'billing'")) {
      row.next();
      return row.getString(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private void assertRefused(Map<String, Object> config, String key) {
    JsonNode refused = putConfig(config).expect(400);
    assertEquals("invalid_config", refused.get("error").get("code").asText(), refused.toString());
    assertEquals(key, refused.get("error").get("field").asText(), refused.toString());
  }
}
