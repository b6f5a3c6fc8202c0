package io.streamspace.host.plugins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.host.e2e.PackagedPlugin;
import io.streamspace.plugin.api.PlatformPlugin;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pf4j.DefaultPluginManager;
import org.pf4j.PluginManager;

/**
 * Fails the build when the packaged billing plugin is not loadable: descriptor at the root of
 * the zip, extension index in its classes (the annotation processor can silently not run), and
 * PF4J finding exactly one {@link PlatformPlugin} extension for id {@code billing}.
 */
class PackagedPluginTest {

  private static Path pluginZip() {
    assertTrue(Files.isRegularFile(PackagedPlugin.ZIP), "no " + PackagedPlugin.ZIP);
    return PackagedPlugin.ZIP;
  }

  @Test
  void zipHasDescriptorAndExtensionIndex() throws IOException {
    try (ZipFile zip = new ZipFile(pluginZip().toFile())) {
      assertNotNull(
          zip.getEntry("plugin.properties"), "plugin.properties must be at the zip's root");
      assertNotNull(
          zip.getEntry("classes/META-INF/extensions.idx"),
          "classes/META-INF/extensions.idx is missing");
    }
  }

  @Test
  void pf4jFindsOneBillingExtension(@TempDir Path folder) throws IOException {
    Files.copy(pluginZip(), folder.resolve("billing-plugin.zip"));
    PluginManager manager = new DefaultPluginManager(folder);
    manager.loadPlugins();
    manager.startPlugins();
    try {
      List<PlatformPlugin> extensions = manager.getExtensions(PlatformPlugin.class, "billing");
      assertEquals(1, extensions.size());
    } finally {
      manager.stopPlugin("billing");
      manager.unloadPlugins();
    }
  }
}
