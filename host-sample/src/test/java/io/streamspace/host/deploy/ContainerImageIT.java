package io.streamspace.host.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The container image the build makes with Jib, read from target/image-layout.tar: the same
 * configuration and files as the real image ({@code -Pimage}), on {@code scratch} instead of a
 * JRE image, since no registry is reached here.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ContainerImageIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  private JsonNode config;
  private final Map<String, ImageTar.Entry> files = new HashMap<>();

  @BeforeAll
  void readTheImage() throws IOException {
    Map<String, ImageTar.Entry> image;
    try (InputStream in = Files.newInputStream(Path.of("target/image-layout.tar"))) {
      image = ImageTar.entries(in);
    }
    JsonNode manifest = JSON.readTree(image.get("manifest.json").content()).get(0);
    config = JSON.readTree(image.get(manifest.get("Config").asText()).content()).get("config");
    for (JsonNode layer : manifest.get("Layers")) {
      files.putAll(ImageTar.gzipped(image.get(layer.asText()).content()));
    }
  }

  @Test
  void theImageRunsAsAUserOtherThanRoot() {
    String user = config.get("User").asText();
    assertFalse(user.isBlank(), "a user is set");
    String uid = user.split(":")[0];
    assertNotEquals("0", uid);
    assertNotEquals("root", uid);
  }

  @Test
  void theEntrypointRunsTheHostJarWithThePluginsAndDataFoldersOnTheVolumes() {
    List<String> entrypoint = new ArrayList<>();
    config.get("Entrypoint").forEach(arg -> entrypoint.add(arg.asText()));
    assertEquals("java", entrypoint.get(0));
    int jar = entrypoint.indexOf("-jar");
    assertEquals("/app/host-sample.jar", entrypoint.get(jar + 1));
    assertTrue(entrypoint.indexOf("-XX:MaxRAMPercentage=75") < jar, "JVM flags before -jar");
    assertEquals("/plugins", entrypoint.get(entrypoint.indexOf("--plugins-dir") + 1));
    assertEquals("/data", entrypoint.get(entrypoint.indexOf("--data-dir") + 1));
  }

  /** Issue 26, point 6: loopback by default, but a container's loopback is its own. */
  @Test
  void insideTheContainerTheHostListensOnEveryInterface() {
    List<String> environment = new ArrayList<>();
    config.get("Env").forEach(variable -> environment.add(variable.asText()));
    assertTrue(environment.contains("STREAMSPACE_HOST=0.0.0.0"), environment.toString());
  }

  @Test
  void theHttpPortIsExposedAndTheDataAndPluginsFoldersAreVolumes() {
    assertTrue(config.get("ExposedPorts").has("8080/tcp"));
    assertTrue(config.get("Volumes").has("/data"));
    assertTrue(config.get("Volumes").has("/plugins"));
  }

  @Test
  void theLayersHoldTheShadedJarAndThePluginRepositoryWithTheBillingPlugin() throws IOException {
    assertEquals(
        Files.size(Path.of("target/host-sample.jar")), files.get("app/host-sample.jar").size());
    assertTrue(files.containsKey("app/plugin-repository/plugins.json"));
    assertTrue(
        files.keySet().stream()
            .anyMatch(f -> f.matches("app/plugin-repository/billing-[0-9.]+\\.zip")),
        "the billing plugin's zip: " + files.keySet());
    assertTrue(
        files.keySet().stream().noneMatch(f -> f.startsWith("app/libs") || f.contains(".keep")),
        "only the shaded jar, not Jib's own class path: " + files.keySet());
  }

  @Test
  void theVolumeFoldersExistWritableByTheImagesGroup() {
    String group = config.get("User").asText().split(":")[1];
    for (String folder : List.of("data/", "plugins/")) {
      ImageTar.Entry entry = files.get(folder);
      assertEquals(0, Integer.parseInt(group), "the folders' group (root's, as Jib writes them)");
      assertEquals(0775, entry.mode() & 0777, folder);
    }
  }
}
