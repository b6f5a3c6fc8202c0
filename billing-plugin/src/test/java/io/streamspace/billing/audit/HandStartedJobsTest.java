package io.streamspace.billing.audit;

import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.rows;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.value;
import static io.streamspace.billing.support.InvoiceFixtures.FINALIZE_INVOICES;
import static io.streamspace.billing.support.InvoiceFixtures.GENERATE_INVOICES;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.billing.jobs.CheckQuotasJob;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.plugin.api.http.HttpMethod;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Who the audit trail names for what a job's run changes: the admin who started it by hand
 * ({@code POST /jobs/{name}}), with their reason and request id, or the job when the schedule ran
 * it. Ann used a core for an hour in March; April's first midnight invoices her, with no grace,
 * so the one run drafts and finalizes.
 */
class HandStartedJobsTest {

  private final BillingHarness billing =
      new BillingHarness(at("2026-03-10T12:00:00Z"), "{\"invoiceGraceMinutes\": 0}");

  HandStartedJobsTest() {
    billing.userCreated("ann", Map.of());
    billing.session(
        "s1", "ann", "2026-03-10T12:00:00Z", "2026-03-10T13:00:00Z", size("1", "1", "0"));
    billing.calculateUsageAt("2026-03-10T14:00:00Z");
  }

  @AfterEach
  void unload() {
    billing.close();
  }

  @Test
  void aGenerateInvoicesRunAnAdminStarted_writesItsEntriesInTheAdminsNameWithReasonAndRequestId() {
    billing.clock.set(at("2026-04-01T00:05:00Z"));

    Answer run = startedByRoot("generate-invoices", "the midnight run failed", "req-rerun");

    assertEquals(200, run.status(), run.body().toString());
    assertEquals("succeeded", run.body().get("outcome").asText(), run.body().toString());
    assertEquals(
        List.of(
            entry("invoice.created", "admin", "root", "the midnight run failed", "req-rerun"),
            entry("invoice.finalized", "admin", "root", "the midnight run failed", "req-rerun")),
        invoiceEntries());
  }

  @Test
  void aGenerateInvoicesRunTheScheduleFired_writesItsEntriesInTheJobsName() {
    billing.runAt(GENERATE_INVOICES, "2026-04-01T00:00:00Z");

    assertEquals(
        List.of(
            entry("invoice.created", "job", "generate-invoices", null, null),
            entry("invoice.finalized", "job", "finalize-invoices", null, null)),
        invoiceEntries());
  }

  @Test
  void aCheckQuotasRunAnAdminStarted_locksAndMarksExpiredCreditsInTheAdminsName() {
    Answer credit =
        billing.call(
            HttpMethod.POST,
            "/admin/credits",
            admin("root"),
            "{\"user_id\": \"ann\", \"amount\": 1, \"reason\": \"goodwill\","
                + " \"expires_at\": \"2026-03-15T00:00:00Z\"}");
    assertEquals(201, credit.status(), credit.body().toString());
    billing.runAt(GENERATE_INVOICES, "2026-04-01T00:00:00Z");
    Instant due = Instant.parse((String) value(DUE_AT));
    billing.runAt(FINALIZE_INVOICES, due.plusSeconds(1).toString()); // overdue
    billing.clock.set(due.plus(Duration.ofDays(4))); // past the payment grace: it locks

    Answer run = startedByRoot("check-quotas", "checking before the month's report", "req-check");

    assertEquals("succeeded", run.body().get("outcome").asText(), run.body().toString());
    assertEquals(
        List.of(
            entry(
                "credit.expired",
                "admin",
                "root",
                "checking before the month's report",
                "req-check"),
            entry(
                "hold.placed", "admin", "root", "checking before the month's report", "req-check")),
        rows(
            """
            SELECT kind, actor_type, actor_id, reason, request_id FROM billing_audit_entries
            WHERE kind IN ('credit.expired', 'hold.placed') ORDER BY kind"""));
  }

  @Test
  void aCheckQuotasRunTheScheduleFired_placesItsHoldsInTheJobsName() {
    billing.runAt(GENERATE_INVOICES, "2026-04-01T00:00:00Z");
    Instant due = Instant.parse((String) value(DUE_AT));
    billing.runAt(FINALIZE_INVOICES, due.plusSeconds(1).toString());

    billing.runAt(CheckQuotasJob.NAME, due.plus(Duration.ofDays(4)).toString());

    assertEquals(
        List.of(entry("hold.placed", "job", "check-quotas", null, null)),
        rows(
            """
            SELECT kind, actor_type, actor_id, reason, request_id FROM billing_audit_entries
            WHERE kind = 'hold.placed'"""));
  }

  private static final String DUE_AT =
      "SELECT to_char(due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
          + " FROM billing_invoices";

  /** {@code POST /jobs/{job}} as the admin root, with a reason and a request id. */
  private Answer startedByRoot(String job, String reason, String requestId) {
    return billing.call(
        HttpMethod.POST,
        "/jobs/" + job,
        admin("root"),
        "{\"reason\": \"" + reason + "\"}",
        Map.of("x-request-id", requestId));
  }

  private static List<Object> entry(Object... columns) {
    return Arrays.asList(columns);
  }

  private static List<List<Object>> invoiceEntries() {
    return rows(
        """
        SELECT kind, actor_type, actor_id, reason, request_id FROM billing_audit_entries
        WHERE kind LIKE 'invoice.%' ORDER BY id""");
  }
}
