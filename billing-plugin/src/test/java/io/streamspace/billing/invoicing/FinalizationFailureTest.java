package io.streamspace.billing.invoicing;

import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.value;
import static io.streamspace.billing.support.InvoiceFixtures.GENERATE_INVOICES;
import static io.streamspace.billing.support.InvoiceFixtures.invoiceId;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.plugin.api.metrics.PluginMetrics;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One draft that fails to finalize fails its chunk (the five drafts are one chunk), which is
 * rolled back and finalized again one draft at a time: the bad one is left a draft with nothing
 * claimed while the others are finalized, numbered without gap in draft order; the next run
 * finalizes it.
 */
class FinalizationFailureTest {

  private static final Instant AFTER_GRACE = at("2026-04-01T01:00:00Z");

  private final BillingHarness billing = new BillingHarness(at("2026-03-01T00:00:00Z"));
  private final DataSource dataSource = TestDatabase.dataSource();
  private final List<String> events = new CopyOnWriteArrayList<>();

  @AfterEach
  void unload() {
    billing.close();
  }

  @Test
  void aBadDraftIsLeftADraftWithNothingClaimedWhileTheOthersAreFinalizedInDraftOrder()
      throws Exception {
    usersWithAnHourOfUsage(5);
    long bad = invoiceId("u02", "2026-03-01T00:00:00Z");

    SQLException failure =
        assertThrows(SQLException.class, () -> finalizer("u02").finalizeDue(AFTER_GRACE));

    assertTrue(
        failure.getMessage().startsWith("1 invoices could not be finalized (4 were)"),
        failure.getMessage());
    assertEquals("draft", value("SELECT status FROM billing_invoices WHERE id = ?", bad));
    assertEquals(0L, value("SELECT count(*) FROM billing_usage_billed WHERE invoice_id = ?", bad));
    assertEquals(1L, value("SELECT count(*) FROM billing_usage_billed WHERE invoice_id IS NULL"));
    assertEquals(0L, value("SELECT count(*) FROM billing_invoice_lines WHERE invoice_id = ?", bad));
    assertNumberedInDraftOrder(List.of("u00", "u01", "u03", "u04"));
    assertEquals(4, events.size());

    assertEquals(
        new Finalization(1, 0),
        finalizer("nobody").finalizeDue(AFTER_GRACE),
        "the next run finalizes it");
    assertEquals(
        "INV-2026-000005", value("SELECT invoice_number FROM billing_invoices WHERE id = ?", bad));
  }

  /** A finalizer whose collection step fails for the invoice of {@code badUser}. */
  private InvoiceFinalizer finalizer(String badUser) {
    return new InvoiceFinalizer(
        dataSource,
        new InvoiceCalculator(dataSource, BillingConfig::defaults),
        new BillingEvents((type, payload) -> events.add(type)),
        BillingConfig::defaults,
        (connection, invoice) -> {
          if (invoice.orgId().equals(badUser)) {
            throw new SQLException("collection of " + badUser + " cannot be queued");
          }
        },
        PluginMetrics.none(),
        null,
        InvoiceFinalizer.Chunking.DEFAULT);
  }

  private void usersWithAnHourOfUsage(int users) throws Exception {
    for (int i = 0; i < users; i++) {
      String user = "u%02d".formatted(i);
      billing.created("2026-03-10T10:00:00Z", "s" + i, user, size("1", "0", "0"));
      billing.terminated("2026-03-10T11:00:00Z", "s" + i, user);
    }
    billing.calculateUsageAt("2026-04-01T00:00:00Z");
    billing.runAt(GENERATE_INVOICES, "2026-04-01T00:00:00Z"); // drafts: the grace has not passed
  }

  /** The users' invoices, in draft (id) order, are numbered 1, 2, 3... */
  private static void assertNumberedInDraftOrder(List<String> users) throws Exception {
    List<Object> expected = new ArrayList<>();
    for (int n = 1; n <= users.size(); n++) {
      expected.add("INV-2026-%06d".formatted(n));
    }
    assertEquals(
        expected,
        BillingHarness.rows(
                "SELECT invoice_number FROM billing_invoices WHERE user_id = ANY (?) ORDER BY id",
                (Object) users.toArray(new String[0]))
            .stream()
            .map(r -> r.get(0))
            .toList());
  }
}
