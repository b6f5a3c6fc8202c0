package io.streamspace.billing.audit;

import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.rows;
import static io.streamspace.billing.support.BillingHarness.user;
import static io.streamspace.billing.support.BillingHarness.value;
import static io.streamspace.billing.support.InvoiceFixtures.FINALIZE_INVOICES;
import static io.streamspace.billing.support.InvoiceFixtures.GENERATE_INVOICES;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.billing.jobs.CheckQuotasJob;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.jobs.JobOutcome;
import io.streamspace.plugin.api.jobs.JobRun;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Each wired kind of change, made through the loaded plugin as its users, admins and jobs make
 * it, writes exactly the entries it should, with its actor, reason, request id and the state
 * before and after. One scenario for all (run once, its entries checked kind by kind): Ann
 * confirms an overage, sets a spending limit an admin removes, sets, changes and removes a seat limit, buys and renews a pack, buys and cancels another, moves to the pro plan, is granted a credit, invoiced for March by the jobs, goes overdue, is locked,
 * unlocked by an admin, her invoice voided; an admin invoices her first of April and marks it
 * paid. (Refunds: {@code StripeWebhookRouteTest}.)
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuditedChangesTest {

  private BillingHarness billing;
  private final List<String> steps = new ArrayList<>();

  @BeforeAll
  void scenario() {
    billing = new BillingHarness(at("2026-03-10T12:00:00Z"), "{\"billingMode\": \"subscription\"}");
    billing.userCreated("ann", Map.of());
    billing.flush();
    ok(
        call(
            HttpMethod.POST,
            "/overage/confirm",
            user("ann"),
            "{\"meter\": \"ai_queries\"}",
            "req-overage"));
    ok(
        call(
            HttpMethod.PUT,
            "/spending-limit",
            user("ann"),
            "{\"amount\": 50, \"action\": \"warn\"}",
            "req-limit"));
    ok(call(HttpMethod.DELETE, "/spending-limit?user_id=ann", admin("root"), null, "req-unlimit"));
    ok(call(HttpMethod.PUT, "/seat-limit", user("ann"), "{\"limit\": 3}", "req-seats"));
    ok(call(HttpMethod.PUT, "/seat-limit", user("ann"), "{\"limit\": 5}", "req-seats-2"));
    ok(call(HttpMethod.DELETE, "/seat-limit", user("ann"), null, "req-seats-3"));
    long slots =
        call(HttpMethod.POST, "/packs/slots-5/purchase", user("ann"), "{}", "req-pack")
            .body()
            .get("id")
            .asLong();
    ok(call(HttpMethod.POST, "/purchases/" + slots + "/renew", user("ann"), null, "req-renew"));
    long storage =
        call(HttpMethod.POST, "/packs/storage-10/purchase", user("ann"), "{}", "req-pack-2")
            .body()
            .get("id")
            .asLong();
    ok(call(HttpMethod.POST, "/purchases/" + storage + "/cancel", user("ann"), null, "req-cancel"));
    ok(call(HttpMethod.PUT, "/subscription", user("ann"), "{\"plan_id\": \"pro\"}", "req-plan"));
    ok(
        call(
            HttpMethod.POST,
            "/admin/credits",
            admin("root"),
            "{\"user_id\": \"ann\", \"amount\": 1, \"reason\": \"goodwill\"}",
            "req-credit"));
    run(GENERATE_INVOICES, "2026-04-01T00:00:00Z");
    run(FINALIZE_INVOICES, "2026-04-02T00:00:00Z");
    String due = (String) value("SELECT due_at::text FROM billing_invoices");
    long march = (Long) value("SELECT id FROM billing_invoices");
    run(FINALIZE_INVOICES, instant(due, 1)); // overdue
    run(CheckQuotasJob.NAME, instant(due, 4 * 86_400)); // locked after the grace
    ok(
        call(
            HttpMethod.POST,
            "/admin/users/ann/unlock",
            admin("root"),
            "{\"reason\": \"promised to pay\"}",
            "req-unlock"));
    ok(
        call(
            HttpMethod.PATCH,
            "/admin/invoices/" + march,
            admin("root"),
            "{\"status\": \"void\", \"reason\": \"billed the wrong plan\"}",
            "req-void"));
    Answer april =
        call(
            HttpMethod.POST,
            "/admin/invoices",
            admin("root"),
            "{\"user_id\": \"ann\", \"period_start\": \"2026-04-01\","
                + " \"period_end\": \"2026-04-20\", \"reason\": \"closing early\"}",
            "req-invoice");
    ok(april);
    ok(
        call(
            HttpMethod.PATCH,
            "/admin/invoices/" + april.body().get("id").asLong(),
            admin("root"),
            "{\"status\": \"paid\", \"reason\": \"wire received\"}",
            "req-paid"));
  }

  @AfterAll
  void close() {
    billing.close();
  }

  private Answer call(
      HttpMethod method,
      String path,
      io.streamspace.plugin.api.http.Caller caller,
      String body,
      String requestId) {
    steps.add(method + " " + path);
    return billing.call(method, path, caller, body, Map.of("x-request-id", requestId));
  }

  private static void ok(Answer answer) {
    if (answer.status() >= 300) {
      throw new AssertionError(
          answer.status()
              + " "
              + answer.body()
              + rows(
                  "SELECT status, total, due_at::text, finalize_after::text FROM billing_invoices")
              + rows("SELECT kind FROM billing_audit_entries ORDER BY id"));
    }
  }

  private void run(String job, String now) {
    JobRun run = billing.runAt(job, now);
    assertEquals(JobOutcome.SUCCEEDED, run.outcome(), job + ": " + run.message());
  }

  /** A PostgreSQL timestamptz text plus some seconds, as an ISO instant. */
  private static String instant(String timestamptz, long seconds) {
    return java.time.OffsetDateTime.parse(timestamptz.replace(' ', 'T').replaceAll("\\+00$", "Z"))
        .toInstant()
        .plusSeconds(seconds)
        .toString();
  }

  /**
   * Per kind and actor, the one entry expected: its reason, request id and what changed (a
   * field of before and of after). Empty cells are nulls.
   */
  @ParameterizedTest(name = "{0} by {1} {2}")
  @CsvSource(
      delimiter = '|',
      nullValues = "",
      textBlock =
          """
      overage.confirmed      | user  | ann          |                       | req-overage | meter           |         | ai_queries
      spending_limit.set     | user  | ann          |                       | req-limit   | amount          |         | 50
      spending_limit.removed | admin | root         |                       | req-unlimit | amount          | 50      |
      seat_limit.set         | user  | ann          |                       | req-seats   | limit           |         | 3
      seat_limit.set         | user  | ann          |                       | req-seats-2 | limit           | 3       | 5
      seat_limit.removed     | user  | ann          |                       | req-seats-3 | limit           | 5       |
      pack.purchased         | user  | ann          |                       | req-pack    | pack_id         |         | slots-5
      pack.renewed           | user  | ann          |                       | req-renew   | valid_until     | 2026-04-09T12:00:00Z | 2026-05-09T12:00:00Z
      pack.purchased         | user  | ann          |                       | req-pack-2  | kind            |         | recurring
      pack.cancelled         | user  | ann          |                       | req-cancel  | cancelled_at    |         | 2026-03-10T12:00:00Z
      plan.changed      | user  | ann               |                       | req-plan    | plan_id         | free    | pro
      credit.granted    | admin | root              | goodwill              | req-credit  | amount          |         | 1.00
      invoice.created   | job   | generate-invoices |                       |             | status          |         | draft
      invoice.finalized | job   | finalize-invoices |                       |             | status          | draft   | sent
      invoice.overdue   | job   | finalize-invoices |                       |             | status          | sent    | overdue
      hold.placed       | job   | check-quotas      |                       |             | reason          |         | non_payment
      hold.lifted       | admin | root              | promised to pay       | req-unlock  | lifted_by       |         | root
      invoice.voided    | admin | root              | billed the wrong plan | req-void    | status          | overdue | void
      invoice.created   | admin | root              | closing early         | req-invoice | status          |         | draft
      invoice.finalized | admin | root              | closing early         | req-invoice | status          | draft   | sent
      invoice.paid      | admin | root              | wire received         | req-paid    | status          | sent    | paid
      """)
  void eachChangeWroteOneEntryWithItsCauseAndWhatItChanged(
      String kind,
      String actorType,
      String actorId,
      String reason,
      String requestId,
      String field,
      String before,
      String after) {
    List<List<Object>> entries =
        rows(
            """
            SELECT reason, request_id, org_id, before->>?, after->>?
            FROM billing_audit_entries
            WHERE kind = ? AND actor_type = ? AND actor_id = ?
              AND request_id IS NOT DISTINCT FROM ?""",
            field,
            field,
            kind,
            actorType,
            actorId,
            requestId);
    List<Object> expected = new ArrayList<>();
    expected.add(reason);
    expected.add(requestId);
    expected.add("ann");
    expected.add(before);
    expected.add(after);
    assertEquals(List.of(expected), entries, steps.toString());
  }

  @Test
  void theScenarioWroteNoOtherEntryAndItsChainIsIntact() {
    assertEquals(21L, value("SELECT count(*) FROM billing_audit_entries"));
    Answer verify = billing.call(HttpMethod.GET, "/admin/audit/verify", admin("root"));
    assertEquals(
        "{\"intact\":true,\"checked\":21,\"chains\":1,\"broken\":null,\"anchoring\":\"off\","
            + "\"checkpoint_at\":null}",
        verify.body().toString());
  }
}
