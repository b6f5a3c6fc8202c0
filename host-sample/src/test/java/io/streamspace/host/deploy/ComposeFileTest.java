package io.streamspace.host.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * deploy/compose.yaml, read as Compose would read it (no Docker here to run it): the production
 * path, the host's image on PostgreSQL 15 by URL.
 */
class ComposeFileTest {

  private JsonNode services;

  @BeforeEach
  void readTheComposeFile() throws IOException {
    services =
        new ObjectMapper(new YAMLFactory())
            .readTree(Path.of("deploy/compose.yaml").toFile())
            .get("services");
  }

  @Test
  void postgresIs15AndReportsItsHealth() {
    JsonNode postgres = services.get("postgres");
    assertEquals("postgres:15", postgres.get("image").asText());
    assertTrue(postgres.get("healthcheck").get("test").toString().contains("pg_isready"));
  }

  @Test
  void theHostUsesThePostgresServiceByUrlOnceItIsHealthy() {
    JsonNode host = services.get("host");
    assertTrue(host.get("image").asText().startsWith("streamspace/billing-host:"));
    assertEquals(
        "jdbc:postgresql://postgres:5432/billing",
        host.get("environment").get("BILLING_DB_URL").asText());
    assertEquals(
        "service_healthy", host.get("depends_on").get("postgres").get("condition").asText());
  }

  @Test
  void theSecretsComeFromTheEnvironmentAndNoneIsWrittenInTheFile() {
    JsonNode environment = services.get("host").get("environment");
    for (String secret :
        new String[] {"BILLING_DB_PASSWORD", "BILLING_ADMIN_TOKEN", "STREAMSPACE_SECRETS_KEY"}) {
      assertEquals(
          "${" + secret + ":?set " + secret + "}", environment.get(secret).asText(), secret);
    }
    assertEquals(
        "${BILLING_DB_PASSWORD:?set BILLING_DB_PASSWORD}",
        services.get("postgres").get("environment").get("POSTGRES_PASSWORD").asText());
  }

  @Test
  void theHostKeepsItsDataAndPluginsOnVolumesAndIsHealthyWhenReady() {
    JsonNode host = services.get("host");
    String volumes = host.get("volumes").toString();
    assertTrue(volumes.contains("host-data:/data"), volumes);
    assertTrue(volumes.contains("host-plugins:/plugins"), volumes);
    assertEquals("8080:8080", host.get("ports").get(0).asText());
    String probe = host.get("healthcheck").get("test").toString();
    assertTrue(probe.contains("GET /api/health/ready"), probe);
    assertFalse(host.has("command"), "the image's entrypoint names the volumes' folders");
  }
}
