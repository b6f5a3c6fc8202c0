package io.streamspace.host;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.testing.PackageImports;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The host's packages form floors: none imports another that imports it back, round any loop,
 * and none reaches up into the root package, where the host is put together (HostMain, Host and
 * each feature's wiring, Demo): the features below know nothing of how they are wired.
 */
class ArchitectureTest {

  private static final String BASE = "io.streamspace.host";

  private final PackageImports imports = PackageImports.read(Path.of("src/main/java"), BASE);

  @Test
  void theMainPackagesImportEachOtherInNoCycle() {
    assertEquals(List.of(), imports.cycles());
  }

  @Test
  void noPackageImportsBackUpIntoTheRootPackage() {
    assertEquals(List.of(), imports.importsUpInto(Set.of("")));
  }
}
