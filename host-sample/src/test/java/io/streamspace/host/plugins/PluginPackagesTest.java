package io.streamspace.host.plugins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.host.catalog.FetchedRelease;
import io.streamspace.host.e2e.PackagedPlugin;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plugins folder: unpacked plugin folders, packages set aside, releases moved in. */
class PluginPackagesTest {

  @TempDir Path work;
  private Path folder;

  @BeforeEach
  void makeThePluginsFolder() throws IOException {
    folder = Files.createDirectories(work.resolve("plugins"));
  }

  @Test
  void anUnpackedPlugin_isRemovedWithItsWholeFolder() throws IOException {
    unpackInto(folder.resolve("billing"));
    try (PluginPackages packages = new PluginPackages(folder)) {
      packages.discover(Map.of());

      packages.remove("billing");

      assertFalse(packages.holds("billing"));
      assertEquals(List.of(), namesIn(folder));
    }
  }

  @Test
  void anUnpackedPluginSetAside_isDiscardedWithItsWholeFolder() throws IOException {
    unpackInto(folder.resolve("billing"));
    try (PluginPackages packages = new PluginPackages(folder)) {
      packages.discover(Map.of());

      packages.discard(packages.setAside("billing"));

      assertEquals(List.of(), namesIn(folder));
    }
  }

  @Test
  void anUnpackedFolderAnInterruptedUpdateSetAside_isNotLoadedAsASecondCopy() throws IOException {
    unpackInto(folder.resolve("billing"));
    unpackInto(folder.resolve("billing-old.previous"));
    try (PluginPackages packages = new PluginPackages(folder)) {

      List<PluginPackage> found = packages.discover(Map.of());

      assertEquals(1, found.size());
      assertTrue(packages.holds("billing"));
      assertEquals(List.of("billing"), namesIn(folder));
    }
  }

  @Test
  void aReleaseThatLoadsAsAnotherVersion_isRefused_unloadedAndDeleted() throws IOException {
    Path staging = Files.createDirectories(work.resolve("downloads"));
    Path fetched = Files.copy(PackagedPlugin.ZIP, staging.resolve("fetched.zip"));
    FetchedRelease release = new FetchedRelease("billing", "9.9.9", fetched, "0", "file:/x");
    try (PluginPackages packages = new PluginPackages(folder)) {

      IllegalStateException refused =
          assertThrows(IllegalStateException.class, () -> packages.add(release));

      assertTrue(refused.getMessage().contains("not the release billing 9.9.9"));
      assertFalse(packages.holds("billing"));
      assertEquals(List.of(), namesIn(folder));
    }
  }

  private static List<String> namesIn(Path folder) throws IOException {
    try (Stream<Path> entries = Files.list(folder)) {
      return entries.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /** The packaged plugin unpacked into {@code target}, as a plugin put in by hand unpacked. */
  private static void unpackInto(Path target) throws IOException {
    try (ZipFile zip = new ZipFile(PackagedPlugin.ZIP.toFile())) {
      for (ZipEntry entry : zip.stream().toList()) {
        Path file = target.resolve(entry.getName());
        if (entry.isDirectory()) {
          Files.createDirectories(file);
          continue;
        }
        Files.createDirectories(file.getParent());
        try (InputStream in = zip.getInputStream(entry)) {
          Files.copy(in, file);
        }
      }
    }
  }
}
