package io.streamspace.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PackageImportsTest {

  @TempDir Path sources;

  private void write(String packageName, String type, String... imports) throws IOException {
    Path folder = sources.resolve(packageName.replace('.', '/'));
    Files.createDirectories(folder);
    StringBuilder text = new StringBuilder("package " + packageName + ";\n\n");
    for (String imported : imports) {
      text.append(imported).append('\n');
    }
    text.append("\npublic class ").append(type).append(" {}\n");
    Files.writeString(folder.resolve(type + ".java"), text);
  }

  @Test
  void packagesInLayersHaveNoCycle() throws IOException {
    write("a.b.http", "Routes", "import a.b.quota.Quotas;", "import java.util.List;");
    write("a.b.quota", "Quotas", "import static a.b.catalog.Meter.CPU;");
    write("a.b.catalog", "Meter", "import a.b.money.Money;");
    write("a.b.money", "Money");

    PackageImports imports = PackageImports.read(sources, "a.b");

    assertEquals(List.of(), imports.cycles());
    assertEquals(Set.of("a.b.catalog"), imports.importsOf("a.b.quota"));
  }

  @Test
  void packagesThatReachEachOtherRoundALoopAreOneCycle() throws IOException {
    write("a.b.config", "Config", "import a.b.quota.Limit;");
    write("a.b.quota", "Limit", "import a.b.events.Events;");
    write("a.b.events", "Events", "import a.b.config.Config.Nested;");
    write("a.b.money", "Money", "import a.b.money.Other;");
    write("a.b.money", "Other", "import other.lib.Thing;");

    assertEquals(List.of("config, events, quota"), PackageImports.read(sources, "a.b").cycles());
  }

  @Test
  void anImportBackUpToATopFloorIsNamedWithItsFile() throws IOException {
    write("a.b", "Extension", "import a.b.http.Routes;");
    write("a.b.http", "Routes", "import a.b.quota.Quotas;");
    write("a.b.quota", "Quotas", "import a.b.Extension;", "import a.b.http.Json;");

    assertEquals(
        List.of("quota ->  (a/b/quota/Quotas.java)", "quota -> http (a/b/quota/Quotas.java)"),
        PackageImports.read(sources, "a.b").importsUpInto(Set.of("", "http")));
  }

  @Test
  void aLibraryImportedOutsideThePackageMeantToHoldItIsNamedWithItsFile() throws IOException {
    write("a.b.stripe", "Gateway", "import com.stripe.StripeClient;");
    write("a.b.stripe.webhook", "Verify", "import com.stripe.net.Webhook;");
    write("a.b.http", "Routes", "import com.stripe.exception.StripeException;");
    write("a.b.http", "Pages", "import com.stripeish.Other;", "import a.b.stripe.Gateway;");
    write("a.b.stripes", "Lookalike", "import com.stripe.model.Price;");

    assertEquals(
        List.of(
            "http -> com.stripe.exception.StripeException (a/b/http/Routes.java)",
            "stripes -> com.stripe.model.Price (a/b/stripes/Lookalike.java)"),
        PackageImports.read(sources, "a.b").importsOfLibraryOutside("com.stripe", "stripe"));
  }

  @Test
  void aLibraryNameWrittenInFullInCodeCountsAsAnImport_butNotInACommentOrAString()
      throws IOException {
    write(
        "a.b.mirror",
        "Mirror",
        "Optional<com.stripe.StripeClient> client;",
        "// com.stripe.model.Invoice, a comment",
        "String s = \"com.stripe.model.Price, a string\";");

    assertEquals(
        List.of("mirror -> com.stripe.StripeClient (a/b/mirror/Mirror.java)"),
        PackageImports.read(sources, "a.b").importsOfLibraryOutside("com.stripe", "stripe"));
  }

  @Test
  void aFloorImportingBeyondTheFloorsItMayStandOnIsNamedWithItsFile() throws IOException {
    write(
        "a.b.config",
        "Keys",
        "import a.b.catalog.Plan;",
        "import a.b.catalog.share.Terms;",
        "import a.b.config.parse.Parser;",
        "import a.b.store.share.Table;");
    write("a.b.config.parse", "Parser", "import a.b.money.Money;", "import a.b.payments.Amounts;");
    write("a.b.store", "Store", "import a.b.config.Keys;");

    assertEquals(
        List.of(
            "config -> store.share (a/b/config/Keys.java)",
            "config.parse -> payments (a/b/config/parse/Parser.java)"),
        PackageImports.read(sources, "a.b").importsBeyond("config", Set.of("catalog", "money")));
  }

  @Test
  void foldersThatReachEachOtherRoundALoopAreOneCycle_evenWhenNoTwoOfTheirPackagesDo()
      throws IOException {
    write("a.b", "Extension", "import a.b.store.Store;");
    write("a.b.store.payout", "Payouts", "import a.b.payments.stripe.Clients;");
    write("a.b.payments.stripe", "Clients", "import a.b.money.Money;");
    write("a.b.payments.webhook", "Hooks", "import a.b.store.purchase.Purchases;");
    write("a.b.store.purchase", "Purchases", "import a.b.money.Money;");
    write("a.b.money", "Money");

    PackageImports imports = PackageImports.read(sources, "a.b");

    assertEquals(List.of(), imports.cycles(), "no two packages import each other");
    assertEquals(List.of("payments, store"), imports.byTopLevelFolder().cycles());
    assertEquals(
        Set.of("a.b.money", "a.b.payments"), imports.byTopLevelFolder().importsOf("a.b.store"));
  }

  @Test
  void foldersInFloorsHaveNoCycle() throws IOException {
    write("a.b.store.payout", "Payouts", "import a.b.stripe.Transfers;");
    write("a.b.payments.webhook", "Hooks", "import a.b.store.purchase.Purchases;");
    write("a.b.store.purchase", "Purchases", "import a.b.stripe.Refunds;");
    write("a.b.stripe", "Transfers", "import a.b.money.Money;");

    assertEquals(List.of(), PackageImports.read(sources, "a.b").byTopLevelFolder().cycles());
  }
}
