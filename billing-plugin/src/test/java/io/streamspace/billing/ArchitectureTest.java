package io.streamspace.billing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.testing.PackageImports;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The plugin's packages form floors: the PF4J shell (BillingExtension, BillingPlugin), {@code
 * http} and {@code jobs} on top, the features under them, the catalog, money and the plumbing at
 * the bottom. A package that imports one above it, directly or round a loop, can no longer be read
 * or tested without what it serves, so the build fails on the first such import, naming it.
 */
class ArchitectureTest {

  private static final PackageImports MAIN =
      PackageImports.read(Path.of("src/main/java"), "io.streamspace.billing");

  @Test
  void noPackageImportsAnotherThatImportsItBack() {
    assertEquals(List.of(), MAIN.cycles(), "packages that import each other, round a loop");
  }

  @Test
  void noLowerPackageImportsThePluginShellTheRoutesOrTheJobs() {
    assertEquals(
        List.of(),
        MAIN.importsUpInto(Set.of("", "http", "jobs")),
        "imports from a lower package up into the plugin's shell, http or jobs");
  }
}
