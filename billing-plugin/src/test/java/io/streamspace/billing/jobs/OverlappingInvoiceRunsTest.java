package io.streamspace.billing.jobs;

import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.value;
import static io.streamspace.billing.support.InvoiceFixtures.GENERATE_INVOICES;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.invoicing.InvoiceCalculator;
import io.streamspace.billing.invoicing.InvoiceDrafts;
import io.streamspace.billing.invoicing.InvoiceFinalizer;
import io.streamspace.billing.invoicing.InvoiceStatusChanges;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.plugin.api.jobs.JobContext;
import io.streamspace.plugin.api.jobs.JobResult;
import io.streamspace.plugin.api.metrics.PluginMetrics;
import io.streamspace.testing.Await;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The 15-minute finalize-invoices overlapping a long generate-invoices: they share the drafts by
 * row lock, and each run's message says what it finalized and what it found done by the other.
 */
class OverlappingInvoiceRunsTest {

  private static final Instant AFTER_GRACE = at("2026-04-01T01:00:00Z");

  private final BillingHarness billing = new BillingHarness(at("2026-03-01T00:00:00Z"));
  private final DataSource dataSource = TestDatabase.dataSource();
  private final Clock clock = Clock.fixed(AFTER_GRACE, ZoneOffset.UTC);

  @AfterEach
  void unload() {
    billing.close();
  }

  @Test
  void aFinalizeRunOverlappingGenerateInvoices_eachSaysWhatItFinalizedAndWhatTheOtherDid()
      throws Exception {
    for (int i = 0; i < 5; i++) {
      String user = "u%02d".formatted(i);
      billing.created("2026-03-10T10:00:00Z", "s" + i, user, size("1", "0", "0"));
      billing.terminated("2026-03-10T11:00:00Z", "s" + i, user);
    }
    billing.calculateUsageAt("2026-04-01T00:00:00Z");
    billing.runAt(GENERATE_INVOICES, "2026-04-01T00:00:00Z"); // 5 drafts, grace not passed

    // Chunks of 2 drafts. The cron's finalize-invoices finalizes its first chunk (drafts 1, 2);
    // then a generate-invoices run reaches its finalization while the cron's run is still
    // going: it lists the 3 drafts left and finalizes its first chunk (3, 4) before the cron's
    // run goes on. The cron's run then finds 3 and 4 finalized and takes 5; generate's finds 5
    // finalized by the cron's. Cron: 2 + 1 = 3 finalized, 2 by the other; generate: 2
    // finalized, 1 by the other; 3 + 2 = the 5 drafts, each finalized once.
    CountDownLatch generateFinalizedTwo = new CountDownLatch(1);
    CountDownLatch cronEnded = new CountDownLatch(1);
    ExecutorService other = Executors.newSingleThreadExecutor();
    List<Future<JobResult>> generateRun = new ArrayList<>();
    int[] finalizedByGenerate = {0};
    GenerateInvoicesJob generate =
        new GenerateInvoicesJob(
            new InvoiceDrafts(dataSource),
            finalizeJob(
                () -> {
                  if (++finalizedByGenerate[0] == 2) {
                    generateFinalizedTwo.countDown();
                    Await.opened(cronEnded, Duration.ofSeconds(30), "the other run");
                  }
                }),
            BillingConfig::defaults,
            clock);
    FinalizeInvoicesJob cron =
        finalizeJob(
            () -> {
              if (generateRun.isEmpty()) {
                generateRun.add(other.submit(() -> generate.run(fired(GenerateInvoicesJob.NAME))));
                Await.opened(generateFinalizedTwo, Duration.ofSeconds(30), "the other run");
              }
            });

    JobResult byCron = cron.run(fired(FinalizeInvoicesJob.NAME));
    cronEnded.countDown();
    JobResult byGenerate = generateRun.get(0).get(30, TimeUnit.SECONDS);
    other.shutdown();

    assertEquals(
        "opened 0 final invoices; finalized 3 invoices; 2 others were finalized or voided by"
            + " another run; marked 0 overdue",
        byCron.message());
    assertEquals(
        "opened 0 drafts for 2026-03-01T00:00:00Z..2026-04-01T00:00:00Z; opened 0 final"
            + " invoices; finalized 2 invoices; 1 others were finalized or voided by another run;"
            + " marked 0 overdue",
        byGenerate.message());
    assertEquals(5, byCron.rowsTouched() + byGenerate.rowsTouched(), "each draft once");
    assertEquals(5L, value("SELECT count(DISTINCT invoice_number) FROM billing_invoices"));
    assertEquals(0L, value("SELECT count(*) FROM billing_invoices WHERE status = 'draft'"));
    assertEquals(
        "opened 0 final invoices; finalized 0 invoices; marked 0 overdue",
        cron.run(fired(FinalizeInvoicesJob.NAME)).message(),
        "a run alone says nothing of another");
  }

  /** A firing of the job by its schedule, now. */
  private JobContext fired(String jobName) {
    return new JobContext(jobName, clock.instant(), clock.instant());
  }

  /**
   * A finalize-invoices whose finalizer, in chunks of 2 drafts one after the other, runs {@code afterEach} once each
   * invoice is committed.
   */
  private FinalizeInvoicesJob finalizeJob(Runnable afterEach) {
    BillingEvents events =
        new BillingEvents(
            (type, payload) -> {
              if (type.equals(BillingEvents.INVOICE_CREATED)) {
                afterEach.run();
              }
            });
    return new FinalizeInvoicesJob(
        new InvoiceDrafts(dataSource),
        new InvoiceFinalizer(
            dataSource,
            new InvoiceCalculator(dataSource, BillingConfig::defaults),
            events,
            BillingConfig::defaults,
            (connection, invoice) -> {},
            PluginMetrics.none(),
            null,
            // one chunk at a time: the choreography above counts them in order
            new InvoiceFinalizer.Chunking(2, 1)),
        new InvoiceStatusChanges(dataSource, events, account -> {}),
        BillingConfig::defaults,
        clock);
  }
}
