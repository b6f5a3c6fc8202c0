package io.streamspace.billing.invoicing;

import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.rows;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.value;
import static io.streamspace.billing.support.InvoiceFixtures.invoices;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.InvoiceFixtures;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.plugin.api.metrics.PluginMetrics;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Currency;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An account's drafts are finalized in the order they were opened, also when they are not in
 * one run's chunk: the first of them to claim the account's usage takes every record before its
 * period's end, so March's draft finalized while February's is still a draft would bill
 * February's usage on March's invoice (0.40 and 0.00 below, instead of 0.05 and 0.35). March's
 * draft waits instead: when February's is not in the run (held by another run, not yet due) and
 * when February's fails alone. The figures are those of {@link
 * TwoInvoicesOfOneAccountInOneChunkTest}, whose drafts are finalized together.
 */
class DraftsFinalizedInOrderAcrossRunsTest {

  private static final String FEBRUARY = "2026-02-01T00:00:00Z";
  private static final String MARCH = "2026-03-01T00:00:00Z";
  private static final String APRIL = "2026-04-01T00:00:00Z";
  private static final Instant NOW = at("2026-04-01T02:00:00Z");

  // February: 1 core-hour = 0.05, the credit pays it; March: 4 + 3 core-hours = 0.35, the
  // credit's last 0.05 off (as finalized one at a time in id order)
  private static final List<String> IN_ORDER =
      List.of(
          "2026-02-01T00:00:00Z..2026-03-01T00:00:00Z paid 0.05 0.05 0.00",
          "2026-03-01T00:00:00Z..2026-04-01T00:00:00Z sent 0.35 0.05 0.30");

  private final BillingHarness billing = new BillingHarness(at(FEBRUARY));
  private long february;
  private long march;

  @AfterEach
  void unload() {
    billing.close();
  }

  /**
   * gil's usage and credit as in {@link TwoInvoicesOfOneAccountInOneChunkTest}: a core-hour in
   * February, 4 in March, 3 more on 31 March and 3 on 1 April; a credit of 0.10. His drafts of
   * February and March, opened in that order.
   */
  @BeforeEach
  void usageCreditAndDrafts() {
    billing.created("2026-02-10T10:00:00Z", "gil-1", "gil", size("1", "0", "0"));
    billing.terminated("2026-02-10T11:00:00Z", "gil-1", "gil");
    billing.created("2026-03-10T10:00:00Z", "gil-2", "gil", size("2", "0", "0"));
    billing.terminated("2026-03-10T12:00:00Z", "gil-2", "gil");
    billing.created("2026-03-31T23:00:00Z", "gil-3", "gil", size("3", "0", "0"));
    billing.terminated("2026-04-01T01:00:00Z", "gil-3", "gil");
    billing.flush();
    InvoiceFixtures.grantCredit("gil", "0.10", "USD", "welcome", FEBRUARY, null);
    billing.calculateUsageAt("2026-04-01T02:00:00Z");
    february = draft(FEBRUARY, MARCH);
    march = draft(MARCH, APRIL);
  }

  @Test
  void marchsDraftWaitsWhileFebruarysIsNotInTheRun_andIsFinalizedAfterIt() throws Exception {
    for (int workers : new int[] {1, 2}) {
      assertEquals(
          new Finalization(0, 0, 0, 1),
          finalizer(workers, null).finalizeAll(List.of(march), NOW),
          "on " + workers + " workers: March waits for February");
    }
    assertEquals(List.of(), claims(), "nothing claimed, March still a draft");
    assertEquals(
        "finalized 0 invoices; 1 drafts wait for an earlier draft of their account",
        new Finalization(0, 0, 0, 1).summary());

    assertEquals(
        new Finalization(2, 0), finalizer(2, null).finalizeAll(List.of(february, march), NOW));
    assertEquals(IN_ORDER, withoutNumbers());
  }

  @Test
  void marchsDraftWaitsWhenFebruarysFailsAlone_andTheNextRunFinalizesBothInOrder()
      throws Exception {
    SQLException failure =
        assertThrows(
            SQLException.class,
            () -> finalizer(1, february).finalizeAll(List.of(february, march), NOW));

    assertEquals(
        "1 invoices could not be finalized (0 were; 1 wait for an earlier draft of their account)",
        failure.getMessage());
    assertEquals(
        List.of("draft", "draft"),
        rows("SELECT status FROM billing_invoices WHERE user_id = 'gil' ORDER BY id").stream()
            .map(r -> r.get(0))
            .toList(),
        "February failed and March waited for it, rather than bill February's usage");
    assertEquals(List.of(), claims());

    assertEquals(
        new Finalization(2, 0), finalizer(1, null).finalizeAll(List.of(february, march), NOW));
    assertEquals(IN_ORDER, withoutNumbers());
  }

  @Test
  void anAdminsInvoiceOfAnAccountWithADraftIsRefused_nothingOpened() throws Exception {
    long invoicesBefore = (Long) value("SELECT count(*) FROM billing_invoices");
    long auditBefore = (Long) value("SELECT count(*) FROM billing_audit_entries");

    EarlierDraftException refused =
        assertThrows(
            EarlierDraftException.class,
            () ->
                finalizer(1, null)
                    .invoiceNow(
                        "gil",
                        Currency.getInstance("USD"),
                        at(APRIL),
                        NOW,
                        NOW,
                        Cause.job("test")));

    assertEquals(february, refused.draftId());
    assertEquals(invoicesBefore, value("SELECT count(*) FROM billing_invoices"));
    assertEquals(auditBefore, value("SELECT count(*) FROM billing_audit_entries"));
  }

  /** The account's invoices, period, status and totals, without their numbers. */
  private static List<String> withoutNumbers() {
    return invoices("gil").stream().map(i -> i.replaceFirst(" INV-\\S+", "")).toList();
  }

  /** The account's usage claims: invoice and claim order. */
  private static List<List<Object>> claims() {
    return rows("SELECT invoice_id FROM billing_usage_claims WHERE user_id = 'gil'");
  }

  /** A finalizer in chunks of 250 on {@code workers}; its collection step fails for {@code bad}. */
  private static InvoiceFinalizer finalizer(int workers, Long bad) {
    return new InvoiceFinalizer(
        TestDatabase.dataSource(),
        new InvoiceCalculator(TestDatabase.dataSource(), BillingConfig::defaults),
        new BillingEvents((type, payload) -> {}),
        BillingConfig::defaults,
        (connection, invoice) -> {
          if (bad != null && invoice.id() == bad) {
            throw new SQLException("collection of invoice " + bad + " cannot be queued");
          }
        },
        PluginMetrics.none(),
        null,
        new InvoiceFinalizer.Chunking(InvoiceFinalizer.CHUNK, workers));
  }

  private static long draft(String start, String end) {
    return InvoiceFixtures.invoice(
        "gil", start, end, "draft", null, "USD", "0", "0", "0", null, null);
  }
}
