package io.streamspace.host.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamspace.host.support.TestRepository;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The repository the build publishes into {@code target/plugin-repository/}. */
class PublishedRepositoryTest {

  private static final Path PUBLISHED = Path.of("target", "plugin-repository");

  @Test
  void theBuildPublishesTheBillingZipWithItsTrueSha512AndARequiresThisHostAccepts()
      throws Exception {
    JsonNode plugins = new ObjectMapper().readTree(PUBLISHED.resolve("plugins.json").toFile());

    assertEquals(1, plugins.size());
    JsonNode billing = plugins.get(0);
    assertEquals("billing", billing.get("id").asText());
    assertEquals("Billing & Usage Tracking", billing.get("name").asText());
    assertTrue(billing.get("tags").toString().contains("\"usage\""), billing.toString());
    assertEquals(1, billing.get("releases").size());
    JsonNode release = billing.get("releases").get(0);
    assertEquals("0.3.0", release.get("version").asText());
    assertEquals("billing-0.3.0.zip", release.get("url").asText());
    Path zip = PUBLISHED.resolve(release.get("url").asText());
    assertEquals(PluginZip.sha512(zip), release.get("sha512sum").asText());
    assertEquals(TestRepository.checksum(TestRepository.BILLING_ZIP), PluginZip.sha512(zip));
    assertTrue(
        PluginApiVersion.satisfies(PluginApiVersion.current(), release.get("requires").asText()));
  }

  @Test
  void theHostFetchesTheBillingPluginFromThePublishedRepository(@TempDir Path plugins)
      throws Exception {
    RepositoryReleases releases =
        new RepositoryReleases(List.of(PUBLISHED.toString()), plugins, PluginApiVersion.current());

    FetchedRelease fetched = releases.fetch("billing", null);

    assertEquals("0.3.0", fetched.version());
    assertEquals(TestRepository.checksum(TestRepository.BILLING_ZIP), fetched.sha512());
  }
}
