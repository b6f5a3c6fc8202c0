package io.streamspace.billing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.testing.PackageImports;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The plugin's packages form floors: the PF4J shell (BillingExtension, BillingPlugin), {@code
 * http} and {@code jobs} on top, the features under them, the catalog, money, the Stripe gateway
 * and the plumbing at the bottom. A package that imports one above it, directly or round a loop,
 * can no longer be read or tested without what it serves, so the build fails on the first such
 * import, naming it.
 *
 * <p>The same holds for the top-level folders taken whole ({@code store} with all its
 * subpackages, {@code payments} with its own): no folder imports one that imports it back, so
 * each feature can be read with only the folders under it.
 *
 * <p>Two floors have rules of their own. {@code stripe} is the only package that imports
 * stripe-java ({@code com.stripe}), and it stands on {@code catalog}, {@code money}, {@code tax},
 * {@code db} and {@code json} alone, so the payment SDK sits behind one gateway that knows no
 * feature. {@code config} (the table of keys and what is read from it, which every feature
 * reads) may import only the bottom floors {@code catalog}, {@code money}, {@code tax}, {@code
 * stripe}, {@code db} and {@code json}: what it names (plans, packs, the store's share terms, tax
 * behaviour, Stripe's minor units) belongs there, never in a feature.
 */
class ArchitectureTest {

  private static final PackageImports MAIN =
      PackageImports.read(Path.of("src/main/java"), "io.streamspace.billing");

  /** What {@code stripe} may stand on. */
  private static final Set<String> UNDER_STRIPE = Set.of("catalog", "money", "tax", "db", "json");

  /** What {@code config} may stand on: the bottom floors. */
  private static final Set<String> UNDER_CONFIG =
      Set.of("catalog", "money", "tax", "stripe", "db", "json");

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

  @Test
  void noTopLevelFolderImportsAnotherThatImportsItBack() {
    assertEquals(
        List.of(),
        MAIN.byTopLevelFolder().cycles(),
        "top-level folders (each with its subpackages) that import each other, round a loop");
  }

  @Test
  void onlyTheStripeGatewayImportsStripeJava() {
    assertEquals(
        List.of(),
        MAIN.importsOfLibraryOutside("com.stripe", "stripe"),
        "imports of stripe-java outside io.streamspace.billing.stripe");
  }

  @Test
  void theStripeGatewayStandsOnTheBottomFloorsOnly() {
    assertEquals(
        List.of(),
        MAIN.importsBeyond("stripe", UNDER_STRIPE),
        "imports from the Stripe gateway beyond " + UNDER_STRIPE);
  }

  @Test
  void theConfigImportsNoFeature() {
    assertEquals(
        List.of(),
        MAIN.importsBeyond("config", UNDER_CONFIG),
        "imports from config beyond the bottom floors " + UNDER_CONFIG);
  }
}
