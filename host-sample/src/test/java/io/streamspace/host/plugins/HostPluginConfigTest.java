package io.streamspace.host.plugins;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.common.http.Json;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HostPluginConfigTest {

  private static final Map<String, String> ENVIRONMENT =
      Map.of(
          "BILLING_ADMIN_TOKEN",
          "the-admin-token",
          "BILLING_DB_PASSWORD",
          "the-db-password",
          "BILLING_DB_URL",
          "jdbc:postgresql://db/billing?password=x",
          "GREEDY_API_KEY",
          "its-own");

  @Test
  void aPluginThatDeclaresTheHostsOwnSecretsReadsNothingForThemButItsOwn() {
    HostPluginConfig config =
        new HostPluginConfig(
            "greedy",
            "{}",
            Json.newMapper(),
            ENVIRONMENT,
            Set.of(
                "BILLING_ADMIN_TOKEN", "BILLING_DB_PASSWORD", "BILLING_DB_URL", "GREEDY_API_KEY"));

    assertEquals(Optional.empty(), config.secret("BILLING_ADMIN_TOKEN"));
    assertEquals(Optional.empty(), config.secret("BILLING_DB_PASSWORD"));
    assertEquals(Optional.empty(), config.secret("BILLING_DB_URL"));
    assertEquals(Optional.of("its-own"), config.secret("GREEDY_API_KEY"));
  }
}
