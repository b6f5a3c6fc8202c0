package io.streamspace.billing.invoicing;

import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.value;
import static io.streamspace.billing.support.InvoiceFixtures.GENERATE_INVOICES;
import static io.streamspace.billing.support.InvoiceFixtures.invoiceId;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.rating.RatingRuns;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.plugin.api.metrics.PluginMetrics;
import io.streamspace.testing.Await;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Finalizations racing each other, in chunks of 3 drafts (so that runs meet inside chunks and
 * skip the drafts another holds): numbers stay gapless, each invoice is finalized once, and no
 * run deadlocks another.
 */
class ConcurrentFinalizationTest {

  private static final Instant AFTER_GRACE = at("2026-04-01T01:00:00Z");

  private final BillingHarness billing = new BillingHarness(at("2026-03-01T00:00:00Z"));
  private final DataSource dataSource = TestDatabase.dataSource();
  private final List<String> events = new CopyOnWriteArrayList<>();
  private final InvoiceFinalizer finalizer =
      new InvoiceFinalizer(
          dataSource,
          new InvoiceCalculator(dataSource, BillingConfig::defaults),
          new BillingEvents((type, payload) -> events.add(type)),
          BillingConfig::defaults,
          (connection, invoice) -> {},
          PluginMetrics.none(),
          null,
          new InvoiceFinalizer.Chunking(3, InvoiceFinalizer.WORKERS));

  @AfterEach
  void unload() {
    billing.close();
  }

  @Test
  void twentyInvoicesFinalizedFromFourThreadsAreNumberedOneToTwentyOnce() throws Exception {
    for (int i = 0; i < 20; i++) {
      String user = "u%02d".formatted(i);
      billing.created("2026-03-10T10:00:00Z", "s" + i, user, size(String.valueOf(i + 1), "0", "0"));
      billing.terminated("2026-03-10T11:00:00Z", "s" + i, user);
    }
    billing.calculateUsageAt("2026-04-01T00:00:00Z");
    billing.runAt(GENERATE_INVOICES, "2026-04-01T00:00:00Z"); // drafts: the grace has not passed
    assertEquals(20L, value("SELECT count(*) FROM billing_invoices WHERE status = 'draft'"));

    CyclicBarrier start = new CyclicBarrier(4);
    ExecutorService threads = Executors.newFixedThreadPool(4);
    List<Future<Finalization>> runs = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      runs.add(
          threads.submit(
              () -> {
                start.await();
                return finalizer.finalizeDue(AFTER_GRACE);
              }));
    }
    int finalized = 0;
    for (Future<Finalization> run : runs) {
      finalized += run.get().finalized();
    }
    threads.shutdown();

    assertEquals(20, finalized, "each invoice finalized by exactly one thread");
    assertEquals(
        IntStream.rangeClosed(1, 20).mapToObj("INV-2026-%06d"::formatted).toList(),
        BillingHarness.rows("SELECT invoice_number FROM billing_invoices ORDER BY invoice_number")
            .stream()
            .map(r -> (String) r.get(0))
            .toList());
    assertEquals(20, events.size(), "one billing.invoice.created each");
    // u07 ran 8 cores for an hour: 0.40, on its own invoice only
    assertEquals("0.40", value("SELECT total::text FROM billing_invoices WHERE user_id = 'u07'"));
    assertEquals(0L, value("SELECT count(*) FROM billing_usage_billed WHERE invoice_id IS NULL"));
  }

  @Test
  void aFinalizationRolledBackGivesItsNumberBack() throws Exception {
    billing.userCreated("ann", Map.of());
    billing.userCreated("ben", Map.of());
    billing.runAt(GENERATE_INVOICES, "2026-04-01T00:00:00Z");
    long ann = invoiceId("ann", "2026-03-01T00:00:00Z");

    try (Connection crashed = dataSource.getConnection()) {
      crashed.setAutoCommit(false);
      assertEquals(
          "INV-2026-000001",
          finalizer
              .finalizeDraft(crashed, ann, AFTER_GRACE, RatingRuns.settled(dataSource))
              .orElseThrow()
              .invoiceNumber());
      crashed.rollback();
    }
    assertEquals("draft", value("SELECT status FROM billing_invoices WHERE id = ?", ann));

    assertEquals(new Finalization(2, 0), finalizer.finalizeDue(AFTER_GRACE));
    assertEquals(
        List.of("INV-2026-000001", "INV-2026-000002"),
        BillingHarness.rows("SELECT invoice_number FROM billing_invoices ORDER BY invoice_number")
            .stream()
            .map(r -> (String) r.get(0))
            .toList());
  }

  /**
   * A run meets a draft another transaction holds (another run's chunk in progress): it
   * finalizes the others of its chunk without waiting, then, at its end, waits for that one; the
   * other lets it go still a draft (its run failed), so this run finalizes it, numbered after the
   * others: 3 finalized, none by another run.
   */
  @Test
  void aDraftAnotherRunHoldsIsSkippedThenFinalizedAtTheEndOnceLetGoADraft() throws Exception {
    for (String user : List.of("ann", "ben", "cat")) {
      billing.created("2026-03-10T10:00:00Z", "s-" + user, user, size("1", "0", "0"));
      billing.terminated("2026-03-10T11:00:00Z", "s-" + user, user);
    }
    billing.calculateUsageAt("2026-04-01T00:00:00Z");
    billing.runAt(GENERATE_INVOICES, "2026-04-01T00:00:00Z");
    long ben = invoiceId("ben", "2026-03-01T00:00:00Z");

    ExecutorService thread = Executors.newSingleThreadExecutor();
    Future<Finalization> run;
    try (Connection other = dataSource.getConnection()) {
      other.setAutoCommit(false);
      try (var lock =
          other.prepareStatement("SELECT 1 FROM billing_invoices WHERE id = ? FOR UPDATE")) {
        lock.setLong(1, ben);
        lock.executeQuery().close();
      }
      int holder;
      try (var pid = other.createStatement().executeQuery("SELECT pg_backend_pid()")) {
        pid.next();
        holder = pid.getInt(1);
      }
      run = thread.submit(() -> finalizer.finalizeDue(AFTER_GRACE));
      Await.await(
          Duration.ofSeconds(30),
          Duration.ofMillis(20),
          "the run waiting for ben's draft at its end",
          () ->
              (Long)
                      value(
                          "SELECT count(*) FROM pg_stat_activity WHERE ? = ANY"
                              + " (pg_blocking_pids(pid))",
                          holder)
                  == 1);
      assertEquals(
          List.of(List.of("INV-2026-000001"), List.of("INV-2026-000002"), List.of("draft")),
          BillingHarness.rows(
              "SELECT coalesce(invoice_number, status) FROM billing_invoices ORDER BY 1"),
          "ann and cat finalized while ben's draft was held");
      other.rollback();
    }
    assertEquals(new Finalization(3, 0), run.get(30, TimeUnit.SECONDS));
    thread.shutdown();
    assertEquals(
        "INV-2026-000003", value("SELECT invoice_number FROM billing_invoices WHERE id = ?", ben));
  }
}
