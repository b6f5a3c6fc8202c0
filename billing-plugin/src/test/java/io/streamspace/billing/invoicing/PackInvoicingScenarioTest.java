package io.streamspace.billing.invoicing;

import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.user;
import static io.streamspace.billing.support.InvoiceFixtures.GENERATE_INVOICES;
import static io.streamspace.billing.support.InvoiceFixtures.invoiceId;
import static io.streamspace.billing.support.InvoiceFixtures.invoices;
import static io.streamspace.billing.support.InvoiceFixtures.lines;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.jobs.JobOutcome;
import io.streamspace.plugin.api.jobs.JobRun;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Capacity packs on invoices, through the routes, generate-invoices, the draft's preview, the
 * stored lines and the PDF, with every line worked out by hand. Usage mode (no plan fee) with
 * no usage, so the packs are the only lines; UTC, invoice day 1, one hour of grace; the default
 * catalog: {@code slots-5} one-time for 30 days at 5.00 USD / 125,000 VND, {@code storage-10}
 * recurring at 2.00 USD / 50,000 VND a period.
 *
 * <p>ann (USD) and thu (VND) each buy both on March 10 00:00. The job slots are valid until
 * April 9 00:00, expire, and are renewed on April 20 12:00 (a new validity from then, as it had
 * ended, to May 20 12:00), charged again. The storage pack is cancelled on April 20 12:00.
 *
 * <ul>
 *   <li>March (31 days): the slots in full, 5.00 / 125,000; the storage pack for March 10 to
 *       April 1, 22 of 31 days: 2.00 × 22 / 31 = 1.4193… → 1.42; 50,000 × 22 / 31 =
 *       35,483.87… → 35,484.
 *   <li>April (30 days): the renewal in full, 5.00 / 125,000; the storage pack for April 1 to
 *       April 20 12:00, 19.5 of 30 days: 2.00 × 19.5 / 30 = 1.30; 50,000 × 19.5 / 30 = 32,500.
 *   <li>May: nothing (the storage pack was cancelled, the renewal billed in April).
 * </ul>
 */
class PackInvoicingScenarioTest {

  private static final String MARCH = "2026-03-01T00:00:00Z";
  private static final String APRIL = "2026-04-01T00:00:00Z";
  private static final String MAY = "2026-05-01T00:00:00Z";

  private final BillingHarness billing =
      new BillingHarness(at(MARCH), BillingHarness.USD_AND_VND_CONFIG);

  @AfterEach
  void unload() {
    billing.close();
  }

  private long post(String user, String path) {
    Answer answer = billing.call(HttpMethod.POST, path, user(user), "{}");
    assertTrue(answer.status() == 200 || answer.status() == 201, answer.toString());
    return answer.body().get("id").asLong();
  }

  private String pdfText(String user, long invoiceId) throws IOException {
    byte[] pdf =
        billing
            .context
            .routes()
            .call(HttpMethod.GET, "/invoices/" + invoiceId + "/pdf", user(user))
            .body();
    try (PDDocument document = Loader.loadPDF(pdf)) {
      return new PDFTextStripper().getText(document);
    }
  }

  @Test
  void aOneTimeAndARecurringPackAreBilledPeriodByPeriodToTheCentAndDong() throws IOException {
    billing.userCreated("ann", Map.of());
    billing.userCreated("thu", Map.of("currency", "VND"));
    billing.flush();
    billing.clock.set(at("2026-03-10T00:00:00Z"));
    long annSlots = post("ann", "/packs/slots-5/purchase");
    long annStorage = post("ann", "/packs/storage-10/purchase");
    long thuSlots = post("thu", "/packs/slots-5/purchase");
    long thuStorage = post("thu", "/packs/storage-10/purchase");

    billing.runAt(GENERATE_INVOICES, APRIL); // March's draft, in its grace
    Answer preview =
        billing.call(HttpMethod.GET, "/invoices/" + invoiceId("ann", MARCH), user("ann"));
    billing.runAt(GENERATE_INVOICES, "2026-04-01T01:00:00Z"); // finalizes March
    billing.clock.set(at("2026-04-20T12:00:00Z"));
    post("ann", "/purchases/" + annSlots + "/renew");
    post("ann", "/purchases/" + annStorage + "/cancel");
    post("thu", "/purchases/" + thuSlots + "/renew");
    post("thu", "/purchases/" + thuStorage + "/cancel");
    billing.runAt(GENERATE_INVOICES, "2026-05-01T01:00:00Z");
    billing.runAt(GENERATE_INVOICES, "2026-06-01T01:00:00Z");

    assertEquals(
        """
        [{"line_no":1,"kind":"pack","description":"5 job slots, 2026-03-10 – 2026-04-09",\
        "resource_type":null,"quantity":null,"unit":null,"unit_price":5,"amount":5.00,\
        "period_start":"2026-03-10T00:00:00Z","period_end":"2026-04-09T00:00:00Z"},\
        {"line_no":2,"kind":"pack","description":"10 GB storage, 2026-03-10 – 2026-04-01",\
        "resource_type":null,"quantity":null,"unit":null,"unit_price":2,"amount":1.42,\
        "period_start":"2026-03-10T00:00:00Z","period_end":"2026-04-01T00:00:00Z"}]""",
        preview.body().get("lines").toString());
    assertEquals(
        List.of(
            "pack 5 job slots, 2026-03-10 – 2026-04-09 null null null 5.00 5.00",
            "pack 10 GB storage, 2026-03-10 – 2026-04-01 null null null 2.00 1.42"),
        lines(invoiceId("ann", MARCH)));
    assertEquals(
        List.of(
            "pack 5 job slots, 2026-04-20 – 2026-05-20 null null null 5.00 5.00",
            "pack 10 GB storage, 2026-04-01 – 2026-04-20 null null null 2.00 1.30"),
        lines(invoiceId("ann", APRIL)));
    assertEquals(List.of(), lines(invoiceId("ann", MAY)));
    assertEquals(
        List.of(
            "pack 5 job slots, 2026-03-10 – 2026-04-09 null null null 125000 125000",
            "pack 10 GB storage, 2026-03-10 – 2026-04-01 null null null 50000 35484"),
        lines(invoiceId("thu", MARCH)));
    assertEquals(
        List.of(
            "pack 5 job slots, 2026-04-20 – 2026-05-20 null null null 125000 125000",
            "pack 10 GB storage, 2026-04-01 – 2026-04-20 null null null 50000 32500"),
        lines(invoiceId("thu", APRIL)));
    assertEquals(List.of(), lines(invoiceId("thu", MAY)));
    assertEquals(
        List.of(
            "2026-03-01T00:00:00Z..2026-04-01T00:00:00Z overdue INV-2026-000001 6.42 0.00 6.42",
            "2026-04-01T00:00:00Z..2026-05-01T00:00:00Z overdue INV-2026-000003 6.30 0.00 6.30",
            "2026-05-01T00:00:00Z..2026-06-01T00:00:00Z paid INV-2026-000005 0.00 0.00 0.00"),
        invoices("ann"));
    String pdf = pdfText("ann", invoiceId("ann", APRIL));
    assertTrue(pdf.contains("10 GB storage, 2026-04-01 – 2026-04-20"), pdf);
    assertTrue(pdf.contains("1.30"), pdf);
  }

  /**
   * A charge in another currency than the invoice's (an account whose currency changed after it
   * bought, as a late user.created could do before it counted packs) is never billed across
   * currencies: the invoice fails to finalize, stays a draft, and the error is logged.
   */
  @Test
  void aPackChargeInAnotherCurrencyStopsTheInvoiceRatherThanBeBilledInItsCurrency() {
    billing.userCreated("ann", Map.of());
    billing.flush();
    billing.clock.set(at("2026-03-10T00:00:00Z"));
    post("ann", "/packs/slots-20/purchase"); // 18.00 USD
    TestDatabase.execute("UPDATE billing_accounts SET currency = 'VND' WHERE user_id = 'ann'");
    TestDatabase.execute("UPDATE billing_subscriptions SET currency = 'VND' WHERE user_id = 'ann'");
    Logger logger = (Logger) LoggerFactory.getLogger(InvoiceFinalizer.class);
    ListAppender<ILoggingEvent> errors = new ListAppender<>();
    errors.start();
    logger.addAppender(errors);
    JobRun run;
    try {
      billing.flush();
      billing.clock.set(at("2026-04-01T01:00:00Z"));
      run = billing.context.scheduler().runNow(GENERATE_INVOICES).toCompletableFuture().join();
    } finally {
      logger.detachAppender(errors);
    }

    assertEquals(JobOutcome.FAILED, run.outcome());
    assertEquals(
        List.of(List.of("draft", "VND")),
        BillingHarness.rows(
            "SELECT status, currency::text FROM billing_invoices WHERE user_id = 'ann'"));
    assertEquals(List.of(), lines(invoiceId("ann", MARCH)));
    assertEquals(
        List.of("pack 20 job slots of ann was bought in USD, not billed on an invoice in VND"),
        errors.list.stream().map(e -> e.getThrowableProxy().getMessage()).toList());
    assertEquals(
        null,
        BillingHarness.value("SELECT invoice_id FROM billing_pack_events WHERE kind = 'bought'"));
  }

  @Test
  void aOneTimeChargeOnAVoidedInvoiceIsBilledByTheNextOne() {
    billing.userCreated("ann", Map.of());
    billing.flush();
    billing.clock.set(at("2026-03-10T00:00:00Z"));
    post("ann", "/packs/slots-5/purchase");
    billing.runAt(GENERATE_INVOICES, "2026-04-01T01:00:00Z");
    long march = invoiceId("ann", MARCH);

    Answer voided =
        billing.call(
            HttpMethod.PATCH,
            "/admin/invoices/" + march,
            BillingHarness.admin("root"),
            "{\"status\": \"void\", \"note\": \"wrong account\"}");
    billing.runAt(GENERATE_INVOICES, "2026-05-01T01:00:00Z");

    assertEquals(200, voided.status());
    assertEquals(
        List.of("pack 5 job slots, 2026-03-10 – 2026-04-09 null null null 5.00 5.00"),
        lines(invoiceId("ann", APRIL)));
  }
}
