package io.streamspace.billing.http;

import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.user;
import static io.streamspace.billing.support.BillingHarness.value;
import static io.streamspace.billing.support.InvoiceFixtures.grantCredit;
import static io.streamspace.billing.support.InvoiceFixtures.remaining;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.billing.support.InvoiceFixtures;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.plugin.api.http.HttpMethod;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code POST /admin/invoices} and {@code PATCH /admin/invoices/{id}}. */
class InvoiceAdminRoutesTest {

  private final BillingHarness billing = new BillingHarness(at("2026-03-01T00:00:00Z"));
  private long credit;

  @BeforeEach
  void usage() {
    // 10 cores for 3 hours on March 2: 30 core-hours = 1.50, and 20 GB-hours = 0.20
    billing.created("2026-03-02T09:00:00Z", "s1", "mia", size("10", "0", "0"));
    billing.created("2026-03-02T09:00:00Z", "s2", "mia", size("0", "20", "0"));
    billing.terminated("2026-03-02T12:00:00Z", "s1", "mia");
    billing.terminated("2026-03-02T10:00:00Z", "s2", "mia");
    billing.flush();
    credit = grantCredit("mia", "0.70", "USD", "sorry", "2026-03-01T00:00:00Z", null);
    billing.calculateUsageAt("2026-03-05T12:00:00Z");
  }

  @AfterEach
  void unload() {
    billing.close();
  }

  private Answer create(String body) {
    return billing.call(HttpMethod.POST, "/admin/invoices", admin("root"), body);
  }

  private Answer patch(Object id, String body) {
    return billing.call(HttpMethod.PATCH, "/admin/invoices/" + id, admin("root"), body);
  }

  @Test
  void anAdminInvoicesAPeriodNowWithCreditsApplied() {
    Answer answer =
        create(
            "{\"user_id\": \"mia\", \"period_start\": \"2026-03-01\", \"period_end\": \"2026-03-05\", \"reason\": \"test\"}");

    assertEquals(201, answer.status(), answer.body().toString());
    JsonNode invoice = answer.body();
    assertEquals("INV-2026-000001", invoice.get("invoice_number").asText());
    assertEquals("mia", invoice.get("user_id").asText());
    assertEquals("2026-03-01T00:00:00Z", invoice.get("period_start").asText());
    assertEquals("2026-03-05T00:00:00Z", invoice.get("period_end").asText());
    assertEquals("sent", invoice.get("status").asText());
    assertEquals("USD", invoice.get("currency").asText());
    assertEquals("1.70", invoice.get("subtotal").decimalValue().toPlainString());
    assertEquals("0.70", invoice.get("credits_applied").decimalValue().toPlainString());
    assertEquals("1.00", invoice.get("total").decimalValue().toPlainString());
    assertEquals("2026-03-19T12:00:00Z", invoice.get("due_date").asText());
    String period =
        "\"period_start\":\"2026-03-01T00:00:00Z\",\"period_end\":\"2026-03-05T00:00:00Z\"";
    assertEquals(
        "[{\"line_no\":1,\"kind\":\"usage\",\"description\":\"cpu usage\","
            + "\"resource_type\":\"cpu\",\"quantity\":30,\"unit\":\"core-hours\",\"unit_price\":0.05,"
            + "\"amount\":1.50,"
            + period
            + "},"
            + "{\"line_no\":2,\"kind\":\"usage\",\"description\":\"memory usage\","
            + "\"resource_type\":\"memory\",\"quantity\":20,\"unit\":\"gb-hours\",\"unit_price\":0.01,"
            + "\"amount\":0.20,"
            + period
            + "},"
            + "{\"line_no\":3,\"kind\":\"credit\",\"description\":\"Credit: sorry\","
            + "\"resource_type\":null,\"quantity\":null,\"unit\":null,\"unit_price\":null,"
            + "\"amount\":-0.70,"
            + period
            + "}]",
        invoice.get("lines").toString());
    assertEquals("0.00", remaining(credit));
    assertTrue(billing.context.published().get(0).startsWith("billing.invoice.created "));
  }

  @Test
  void anOverlappingPeriodIsAConflictNamingTheExistingInvoice() {
    long id =
        create(
                "{\"user_id\": \"mia\", \"period_start\": \"2026-03-01\","
                    + " \"period_end\": \"2026-03-05\", \"reason\": \"test\"}")
            .body()
            .get("id")
            .asLong();

    Answer overlap =
        create(
            "{\"user_id\": \"mia\", \"period_start\": \"2026-03-04T00:00:00Z\","
                + " \"period_end\": \"2026-03-05T12:00:00+00:00\", \"reason\": \"test\"}");

    assertEquals(409, overlap.status());
    assertEquals("invoice_exists", overlap.body().at("/error/code").asText());
    assertEquals(id, overlap.body().at("/error/invoice_id").asLong());
    assertEquals(1L, value("SELECT count(*) FROM billing_invoices"));
    assertEquals(
        "1",
        value("SELECT last_number::text FROM billing_invoice_numbers"),
        "no number taken by the refused one");
  }

  @Test
  void anAccountWithADraftIsAConflictNamingTheDraft_andNothingIsInvoiced() {
    // February's draft, in its grace: an invoice of March finalized now would claim its usage
    long draft =
        InvoiceFixtures.invoice(
            "mia",
            "2026-02-01T00:00:00Z",
            "2026-03-01T00:00:00Z",
            "draft",
            null,
            "USD",
            "0",
            "0",
            "0",
            null,
            null);

    Answer refused =
        create(
            "{\"user_id\": \"mia\", \"period_start\": \"2026-03-01\","
                + " \"period_end\": \"2026-03-05\", \"reason\": \"test\"}");

    assertEquals(409, refused.status(), refused.body().toString());
    assertEquals("earlier_draft", refused.body().at("/error/code").asText());
    assertEquals(draft, refused.body().at("/error/invoice_id").asLong());
    assertEquals(1L, value("SELECT count(*) FROM billing_invoices"));
    assertEquals("0.70", remaining(credit), "no credit spent");
  }

  /**
   * Twenty admins (or one client's retries) invoicing the same period at once: the first is
   * created, every other one waits for the account's lock, then sees the committed invoice and
   * answers 409 naming it. Without the account lock first, the inserts checked the exclusion
   * constraint against each other's uncommitted rows and PostgreSQL broke the cycle with
   * "deadlock detected" (500s).
   */
  @Test
  void twentyParallelIdenticalInvoicesAreOneCreatedAndNineteenConflictsNamingIt() throws Exception {
    String body =
        "{\"user_id\": \"mia\", \"period_start\": \"2026-03-01\","
            + " \"period_end\": \"2026-03-05\", \"reason\": \"test\"}";
    CyclicBarrier start = new CyclicBarrier(20);
    ExecutorService threads = Executors.newFixedThreadPool(20);
    List<Future<Answer>> calls = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      calls.add(
          threads.submit(
              () -> {
                start.await();
                return create(body);
              }));
    }
    List<Answer> answers = new ArrayList<>();
    for (Future<Answer> call : calls) {
      answers.add(call.get(60, TimeUnit.SECONDS));
    }
    threads.shutdown();

    List<Answer> created = answers.stream().filter(a -> a.status() == 201).toList();
    assertEquals(1, created.size(), answers.toString());
    long id = created.get(0).body().get("id").asLong();
    for (Answer answer : answers) {
      if (answer.status() != 201) {
        assertEquals(409, answer.status(), answer.body().toString());
        assertEquals("invoice_exists", answer.body().at("/error/code").asText());
        assertEquals(id, answer.body().at("/error/invoice_id").asLong());
      }
    }
    assertEquals(1L, value("SELECT count(*) FROM billing_invoices"));
    assertEquals("1", value("SELECT last_number::text FROM billing_invoice_numbers"));
  }

  /**
   * Only the two one-invoice-per-period guards mean "invoice exists". A February invoice
   * numbered INV-2026-000001 behind the number counter's back (the counter still issues 000001)
   * makes the March invoice's number clash: a unique violation of another constraint, which is
   * an error (500), not a 409 naming no invoice.
   */
  @Test
  void aUniqueViolationOtherThanAnOverlapIsAnErrorNotAConflict() {
    InvoiceFixtures.invoice(
        "mia",
        "2026-02-01T00:00:00Z",
        "2026-03-01T00:00:00Z",
        "paid",
        "INV-2026-000001",
        "USD",
        "0",
        "0",
        "0",
        null,
        "2026-03-02T00:00:00Z");

    AssertionError clash =
        assertThrows(
            AssertionError.class,
            () ->
                create(
                    "{\"user_id\": \"mia\", \"period_start\": \"2026-03-01\","
                        + " \"period_end\": \"2026-03-05\", \"reason\": \"test\"}"));

    assertTrue(clash.getMessage().contains("500"), clash.getMessage());
    assertEquals(1L, value("SELECT count(*) FROM billing_invoices"), "nothing was stored");
  }

  @Test
  void badBodiesAreRefusedNamingTheField() {
    assertEquals(
        "user_id",
        create(
                "{\"period_start\": \"2026-03-01\","
                    + " \"period_end\": \"2026-03-05\", \"reason\": \"test\"}")
            .errorField());
    assertEquals(
        "period_start",
        create(
                "{\"user_id\": \"mia\", \"period_start\": \"March\","
                    + " \"period_end\": \"2026-03-05\", \"reason\": \"test\"}")
            .errorField());
    assertEquals(
        "period_end",
        create("{\"user_id\": \"mia\", \"period_start\": \"2026-03-01\"}").errorField());
    assertEquals(
        "period_end",
        create(
                "{\"user_id\": \"mia\", \"period_start\": \"2026-03-05\","
                    + " \"period_end\": \"2026-03-01\", \"reason\": \"test\"}")
            .errorField(),
        "reversed");
    assertEquals(
        "period_end",
        create(
                "{\"user_id\": \"mia\", \"period_start\": \"2026-03-01\","
                    + " \"period_end\": \"2026-04-01\", \"reason\": \"test\"}")
            .errorField(),
        "in the future");
    Answer notJson = create("not json");
    assertEquals(400, notJson.status());
    assertEquals("invalid_json", notJson.body().at("/error/code").asText());
    assertEquals(
        404,
        create(
                "{\"user_id\": \"nobody\", \"period_start\": \"2026-03-01\","
                    + " \"period_end\": \"2026-03-05\", \"reason\": \"test\"}")
            .status());
    assertEquals(
        403,
        billing
            .call(
                HttpMethod.POST,
                "/admin/invoices",
                user("mia"),
                "{\"user_id\": \"mia\", \"period_start\": \"2026-03-01\", \"period_end\": \"2026-03-05\", \"reason\": \"test\"}")
            .status());
    assertEquals(0L, value("SELECT count(*) FROM billing_invoices"));
  }

  @Test
  void markingPaidThenRefusingWhatAPaidInvoiceCannotBecome() {
    long id =
        create(
                "{\"user_id\": \"mia\", \"period_start\": \"2026-03-01\","
                    + " \"period_end\": \"2026-03-05\", \"reason\": \"test\"}")
            .body()
            .get("id")
            .asLong();

    Answer paid = patch(id, "{\"status\": \"paid\", \"note\": \"wire 42\"}");

    assertEquals(200, paid.status(), paid.body().toString());
    assertEquals("paid", paid.body().get("status").asText());
    assertEquals("wire 42", value("SELECT status_note FROM billing_invoices WHERE id = ?", id));
    assertTrue(
        billing.context.published().stream().anyMatch(e -> e.startsWith("billing.invoice.paid ")));
    Answer again = patch(id, "{\"status\": \"paid\", \"note\": \"twice\"}");
    assertEquals(409, again.status());
    assertEquals("invalid_transition", again.body().at("/error/code").asText());
    assertEquals(409, patch(id, "{\"status\": \"void\", \"note\": \"refund?\"}").status());
  }

  @Test
  void voidingGivesTheCreditBackAndReleasesTheUsageForTheNextInvoice() {
    long id =
        create(
                "{\"user_id\": \"mia\", \"period_start\": \"2026-03-01\","
                    + " \"period_end\": \"2026-03-05\", \"reason\": \"test\"}")
            .body()
            .get("id")
            .asLong();

    Answer voided = patch(id, "{\"status\": \"void\", \"note\": \"wrong period\"}");

    assertEquals(200, voided.status(), voided.body().toString());
    assertEquals("void", voided.body().get("status").asText());
    assertEquals("0.70", remaining(credit));
    assertEquals(
        0L, value("SELECT count(*) FROM billing_usage_billed WHERE invoice_id IS NOT NULL"));
    assertEquals(409, patch(id, "{\"status\": \"paid\", \"note\": \"late\"}").status());
    Answer reissued =
        create(
            "{\"user_id\": \"mia\", \"period_start\": \"2026-03-01\","
                + " \"period_end\": \"2026-03-05\", \"reason\": \"test\"}");
    assertEquals(201, reissued.status(), "a void invoice does not block its period");
    assertEquals("INV-2026-000002", reissued.body().get("invoice_number").asText());
    assertEquals("1.00", reissued.body().get("total").decimalValue().toPlainString());
  }

  /**
   * Voiding takes the account lock a finalization takes (before it gives credits back, which a
   * finalization consumes in its own order: without the same lock first the two can deadlock).
   * While another transaction holds mia's account lock the void waits on it; once that commits,
   * the void goes through and the 0.70 credit is back.
   */
  @Test
  void voidingWaitsForTheAccountLockBeforeGivingCreditsBack() throws Exception {
    long id =
        create(
                "{\"user_id\": \"mia\", \"period_start\": \"2026-03-01\","
                    + " \"period_end\": \"2026-03-05\", \"reason\": \"test\"}")
            .body()
            .get("id")
            .asLong();
    CompletableFuture<Answer> voiding;
    try (Connection holder = TestDatabase.dataSource().getConnection()) {
      holder.setAutoCommit(false);
      try (Statement lock = holder.createStatement()) {
        lock.executeQuery("SELECT 1 FROM billing_accounts WHERE user_id = 'mia' FOR NO KEY UPDATE")
            .close();
      }
      voiding =
          CompletableFuture.supplyAsync(
              () -> patch(id, "{\"status\": \"void\", \"note\": \"wrong period\"}"));
      TestDatabase.awaitSessionsWaitingForALock(1);

      assertFalse(voiding.isDone(), "the void did not wait for the account lock");
      assertEquals(1L, TestDatabase.sessionsWaitingForALock());
      holder.commit();
    }
    assertEquals(200, voiding.get(10, TimeUnit.SECONDS).status());
    assertEquals("0.70", remaining(credit));
  }

  @Test
  void badPatchesAreRefused() {
    long id =
        create(
                "{\"user_id\": \"mia\", \"period_start\": \"2026-03-01\","
                    + " \"period_end\": \"2026-03-05\", \"reason\": \"test\"}")
            .body()
            .get("id")
            .asLong();

    assertEquals("reason", patch(id, "{\"status\": \"paid\"}").errorField());
    assertEquals("status", patch(id, "{\"status\": \"sent\", \"note\": \"x\"}").errorField());
    assertEquals(404, patch("abc", "{\"status\": \"paid\", \"note\": \"x\"}").status());
    assertEquals(404, patch(id + 1, "{\"status\": \"paid\", \"note\": \"x\"}").status());
    assertEquals(
        403,
        billing
            .call(
                HttpMethod.PATCH,
                "/admin/invoices/" + id,
                user("mia"),
                "{\"status\": \"paid\", \"note\": \"x\"}")
            .status());
    assertEquals("sent", value("SELECT status FROM billing_invoices WHERE id = ?", id));
  }
}
