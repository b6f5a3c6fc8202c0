package io.streamspace.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.host.e2e.PackagedPlugin;
import io.streamspace.host.plugins.ActivePlugin;
import io.streamspace.plugin.api.config.PluginConfig;
import io.streamspace.testing.TestDatabases;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host's environment holds its own secrets next to the plugins': the packaged billing plugin
 * reads the Stripe key its config schema declares, and nothing else.
 */
class PluginSecretsTest {

  private static final String ADMIN_TOKEN = "plugin-secrets-admin-token-0123456789";

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
                .dbUrl(TestDatabases.freshDatabaseUrl())
                .pluginsDir(PackagedPlugin.copyInto(work.resolve("plugins")))
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

  private static PluginConfig billingConfig(Host host) {
    Optional<ActivePlugin> billing =
        host.plugins().active().stream()
            .filter(plugin -> plugin.id().equals("billing"))
            .findFirst();
    assertTrue(billing.isPresent(), "the billing plugin started");
    return billing.get().context().config();
  }
}
