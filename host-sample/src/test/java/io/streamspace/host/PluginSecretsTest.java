package io.streamspace.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.host.e2e.MigratedDatabases;
import io.streamspace.host.e2e.PackagedPlugin;
import io.streamspace.host.support.HostClient;
import io.streamspace.host.support.LogCapture;
import io.streamspace.plugin.api.config.PluginConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host's environment holds its own secrets next to the plugins': the packaged billing plugin
 * reads the Stripe key its config schema declares, and nothing else. A secret an admin sets through
 * the config is stored encrypted, read by the plugin on every node with the same secrets key; a
 * node with another key runs the plugin without it and says so, and a host never makes a new key
 * that could not read the stored secrets.
 */
class PluginSecretsTest {

  private static final String ADMIN_TOKEN = "plugin-secrets-admin-token-0123456789";
  private static final String CONFIG = "/api/admin/plugins/billing/config";
  private static final String KEY_A = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
  private static final String KEY_B = "HxgdHBsaGRgXFhUUExIREA8ODQwLCgkIBwYFBAMCAQA=";

  @Test
  void theBillingPluginReadsItsStripeKeyButNotTheAdminTokenNorTheDatabasePassword(
      @TempDir Path work) throws Exception {
    Map<String, String> environment =
        Map.of(
            "BILLING_ADMIN_TOKEN", ADMIN_TOKEN,
            "BILLING_DB_PASSWORD", "db-password-never-for-plugins",
            "STRIPE_SECRET_KEY", "sk_test_for-billing",
            "HOME", "/home/operator");
    try (Host host =
        Host.start(
            HostOptions.builder()
                .port(0)
                .quickStopForTests()
                .dbUrl(MigratedDatabases.freshDatabaseUrl())
                .pluginsDir(PackagedPlugin.copyExpandedInto(work.resolve("plugins")))
                .secrets(environment)
                .build())) {
      PluginConfig config = billingConfig(host);

      assertEquals(Optional.of("sk_test_for-billing"), config.secret("STRIPE_SECRET_KEY"));
      assertEquals(Optional.empty(), config.secret("STRIPE_WEBHOOK_SECRET"), "declared, not set");
      assertEquals(Optional.empty(), config.secret("BILLING_ADMIN_TOKEN"));
      assertEquals(Optional.empty(), config.secret("BILLING_DB_PASSWORD"));
      assertEquals(Optional.empty(), config.secret("HOME"));
    }
  }

  @Test
  void aSecretFromAnAbsentOrEmptyVariableIsMissing_aSetOneIsSetNeverShown_healthAndConfigAgree(
      @TempDir Path work) throws Exception {
    Map<String, String> environment =
        Map.of(
            "BILLING_ADMIN_TOKEN", ADMIN_TOKEN,
            "STRIPE_SECRET_KEY", "sk_test_from-the-environment-7",
            "STRIPE_WEBHOOK_SECRET", ""); // as `STRIPE_WEBHOOK_SECRET=` in a compose file
    try (Host host =
        Host.start(
            HostOptions.builder()
                .port(0)
                .quickStopForTests()
                .dbUrl(MigratedDatabases.freshDatabaseUrl())
                .pluginsDir(PackagedPlugin.copyExpandedInto(work.resolve("plugins")))
                .secrets(environment)
                .build())) {
      HostClient http = new HostClient(host.port());
      JsonNode health = http.get("/api/health", ADMIN_TOKEN).expect(200);
      JsonNode anonymous = http.get("/api/health", null).expect(200);
      JsonNode shown = http.get(CONFIG, ADMIN_TOKEN).expect(200);

      JsonNode secrets = billingHealth(health).get("secrets");
      assertEquals("set", secrets.get("stripeSecretKey").asText(), health.toString());
      assertEquals("missing", secrets.get("stripeWebhookSecret").asText(), health.toString());
      assertEquals("****", shown.get("stripeSecretKey").asText(), "set, masked");
      assertTrue(shown.get("stripeWebhookSecret").isNull(), "missing, not shown as set");
      assertEquals(
          Optional.empty(),
          billingConfig(host).secret("STRIPE_WEBHOOK_SECRET"),
          "an empty variable is no secret for the plugin either");
      assertFalse(health.toString().contains("sk_test_from-the-environment-7"));
      assertFalse(
          billingHealth(anonymous).has("secrets"), "which secrets are set is the admin's business");
      assertFalse(shown.toString().contains("sk_test_from-the-environment-7"));
    }
  }

  @Test
  void aSecretSetInTheConfig_isStoredEncrypted_readByThePlugin_andAnotherKeyReadsItAsUnset(
      @TempDir Path work) throws Exception {
    String dbUrl = MigratedDatabases.freshDatabaseUrl();
    Path plugins = PackagedPlugin.copyExpandedInto(work.resolve("plugins"));
    String webhookSecret = "whsec_set-through-the-catalog-99";
    String apiKey = "sk_test_set-through-the-catalog-42";

    try (Host host = start(dbUrl, plugins, work.resolve("a"), KEY_A);
        Host sameKey = start(dbUrl, plugins, work.resolve("b"), KEY_A)) {
      HostClient http = new HostClient(host.port());
      http.call(
              "PATCH",
              CONFIG,
              ADMIN_TOKEN,
              HostClient.json(
                  Map.of(
                      "stripeWebhookSecret", webhookSecret,
                      "stripeSecretKey", apiKey,
                      "stripeEnabled", true)),
              HostClient.CONFIG_REASON)
          .expect(200);
      assertEquals(Optional.of(webhookSecret), billingConfig(host).secret("STRIPE_WEBHOOK_SECRET"));

      sameKey.plugins().applyChangesFromOtherNodes();
      assertEquals(
          Optional.of(webhookSecret),
          billingConfig(sameKey).secret("STRIPE_WEBHOOK_SECRET"),
          "another node with the same key reads it once it applies the change");
    }
    String stored = storedSecrets(dbUrl);
    assertTrue(stored.contains("\"stripeWebhookSecret\": \"v1:"), stored);
    assertFalse(stored.contains(webhookSecret), stored);

    List<String> logged = new ArrayList<>();
    Host[] otherKey = new Host[1];
    logged.addAll(
        LogCapture.during(() -> otherKey[0] = start(dbUrl, plugins, work.resolve("c"), KEY_B)));
    try (Host host = otherKey[0]) {
      assertEquals(
          "started",
          host.plugins().find("billing").orElseThrow().state().label(),
          "metering, quotas and invoicing go on without the secrets");
      assertEquals(Optional.empty(), billingConfig(host).secret("STRIPE_WEBHOOK_SECRET"));
      assertEquals(Optional.empty(), billingConfig(host).secret("STRIPE_SECRET_KEY"));
      assertEquals(
          1,
          logged.stream()
              .filter(
                  line ->
                      line.startsWith("WARN ")
                          && line.contains(
                              "billing/stripeWebhookSecret was encrypted with secrets key")
                          && line.contains("STREAMSPACE_SECRETS_KEY")
                          && line.contains("counts as unset"))
              .count(),
          logged.toString());
      assertTrue(
          logged.stream().noneMatch(line -> line.contains("failed to start")), logged.toString());
      assertTrue(logged.stream().noneMatch(line -> line.contains(webhookSecret)));
      assertTrue(logged.stream().noneMatch(line -> line.contains(apiKey)));

      HostClient http = new HostClient(host.port());
      JsonNode stripe = http.get("/api/plugins/billing/payment-methods", ADMIN_TOKEN).expect(409);
      assertEquals("stripe_not_configured", stripe.at("/error/code").asText(), stripe.toString());

      JsonNode shown = http.get(CONFIG, ADMIN_TOKEN).expect(200);
      assertEquals("unreadable: set it again", shown.get("stripeWebhookSecret").asText());
      assertEquals("unreadable: set it again", shown.get("stripeSecretKey").asText());
      assertFalse(shown.toString().contains(webhookSecret));
      JsonNode unreadable = billingHealth(http.get("/api/health", ADMIN_TOKEN).expect(200));
      assertEquals("unreadable", unreadable.at("/secrets/stripeWebhookSecret").asText());
      assertEquals("unreadable", unreadable.at("/secrets/stripeSecretKey").asText());

      List<String> restarted =
          LogCapture.during(
              () -> {
                http.post("/api/admin/plugins/billing/disable", ADMIN_TOKEN, "").expect(200);
                http.post("/api/admin/plugins/billing/enable", ADMIN_TOKEN, "").expect(200);
              });
      assertTrue(
          restarted.stream().noneMatch(line -> line.contains("was encrypted with secrets key")),
          "logged once per key: " + restarted);

      JsonNode refused =
          http.call("PATCH", CONFIG, ADMIN_TOKEN, "{\"invoiceDay\": 2}", HostClient.CONFIG_REASON)
              .expect(400);
      assertTrue(refused.at("/error/field").asText().startsWith("stripe"), refused.toString());
      assertFalse(refused.toString().contains(webhookSecret));

      http.call("PUT", CONFIG, ADMIN_TOKEN, shown.toString(), HostClient.CONFIG_REASON).expect(400);
      http.call(
              "PATCH",
              CONFIG,
              ADMIN_TOKEN,
              HostClient.json(
                  Map.of("stripeWebhookSecret", "whsec_again", "stripeSecretKey", "sk_test_again")),
              HostClient.CONFIG_REASON)
          .expect(200);
      assertEquals(Optional.of("whsec_again"), billingConfig(host).secret("STRIPE_WEBHOOK_SECRET"));
      assertEquals(
          "****", http.get(CONFIG, ADMIN_TOKEN).expect(200).get("stripeSecretKey").asText());
    }
  }

  @Test
  void storedSecretsWithoutTheirKeyFile_stopTheStartNamingTheVariableAndTheFile_makingNoNewKey(
      @TempDir Path work) throws Exception {
    String dbUrl = MigratedDatabases.freshDatabaseUrl();
    Path plugins = PackagedPlugin.copyExpandedInto(work.resolve("plugins"));
    Path data = work.resolve("data");
    try (Host host = start(dbUrl, plugins, data, null)) {
      new HostClient(host.port())
          .call(
              "PATCH",
              CONFIG,
              ADMIN_TOKEN,
              "{\"stripeWebhookSecret\": \"whsec_kept-in-a-file\"}",
              HostClient.CONFIG_REASON)
          .expect(200);
    }
    Path keyFile = data.resolve("secrets-key");
    assertTrue(Files.exists(keyFile));
    try (Host again = start(dbUrl, plugins, data, null)) {
      assertEquals(
          Optional.of("whsec_kept-in-a-file"),
          billingConfig(again).secret("STRIPE_WEBHOOK_SECRET"),
          "the file's key, read again");
    }

    Path lost = work.resolve("data-without-its-key");
    Host.StartRefused refused =
        assertThrows(Host.StartRefused.class, () -> start(dbUrl, plugins, lost, null));

    assertTrue(refused.getMessage().contains("STREAMSPACE_SECRETS_KEY"), refused.getMessage());
    assertTrue(
        refused.getMessage().contains(lost.resolve("secrets-key").toString()),
        refused.getMessage());
    assertTrue(refused.getMessage().contains("billing/stripeWebhookSecret"), refused.getMessage());
    assertFalse(refused.getMessage().contains("\n"), "one line");
    assertFalse(Files.exists(lost.resolve("secrets-key")), "no new key made");
  }

  @Test
  void aSecretsKeyThatIsNot32Bytes_stopsTheStartNamingTheVariable_notItsValue(@TempDir Path work) {
    Host.StartRefused refused =
        assertThrows(
            Host.StartRefused.class,
            () ->
                start(
                    MigratedDatabases.freshDatabaseUrl(),
                    work.resolve("plugins"),
                    work.resolve("data"),
                    "not-a-key-but-a-secret"));

    assertTrue(refused.getMessage().contains("STREAMSPACE_SECRETS_KEY"), refused.getMessage());
    assertFalse(refused.getMessage().contains("not-a-key-but-a-secret"));
  }

  /** A host with {@code secretsKey} as STREAMSPACE_SECRETS_KEY, or its data folder's when null. */
  private static Host start(String dbUrl, Path plugins, Path data, String secretsKey) {
    Map<String, String> environment = new HashMap<>(Map.of("BILLING_ADMIN_TOKEN", ADMIN_TOKEN));
    if (secretsKey != null) {
      environment.put("STREAMSPACE_SECRETS_KEY", secretsKey);
    }
    return Host.start(
        HostOptions.builder()
            .port(0)
            .quickStopForTests()
            .dbUrl(dbUrl)
            .pluginsDir(plugins)
            .dataDir(data)
            .secrets(environment)
            .build());
  }

  private static String storedSecrets(String dbUrl) throws SQLException {
    try (Connection connection = DriverManager.getConnection(dbUrl);
        Statement statement = connection.createStatement();
        ResultSet row =
            statement.executeQuery(
                "SELECT secrets::text FROM host_plugins WHERE plugin_id = 'billing'")) {
      row.next();
      return row.getString(1);
    }
  }

  /** The billing plugin's entry in {@code GET /api/health}. */
  private static JsonNode billingHealth(JsonNode health) {
    for (JsonNode plugin : health.get("plugins")) {
      if (plugin.get("id").asText().equals("billing")) {
        return plugin;
      }
    }
    throw new AssertionError("no billing plugin in " + health);
  }

  private static PluginConfig billingConfig(Host host) {
    return HostPlugins.configOf(host, "billing");
  }
}
