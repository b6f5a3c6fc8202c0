package io.streamspace.billing.hold;

import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.user;
import static io.streamspace.billing.support.InvoiceFixtures.FINALIZE_INVOICES;
import static io.streamspace.billing.support.InvoiceFixtures.invoice;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.billing.BillingExtension;
import io.streamspace.billing.jobs.CheckQuotasJob;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.billing.support.TestPluginContext;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.jobs.JobOutcome;
import io.streamspace.plugin.api.jobs.JobRun;
import io.streamspace.plugin.api.session.AdmissionDecision;
import io.streamspace.plugin.api.session.AdmissionRequest;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The read-only lock for non-payment, through the loaded plugin: check-quotas locks an account
 * whose invoice stays overdue {@code paymentGraceDays} (3 by default) past its due date, paying
 * unlocks it, and an admin may unlock it by hand. John has two open sessions, s1 and s2; his
 * February invoice INV-2026-000001 (12.34 USD) is due March 15, 01:00 UTC.
 */
class PaymentLockTest {

  private static final String DUE = "2026-03-15T01:00:00Z";
  private static final String LOCKS_AT = "2026-03-18T01:00:00Z";
  private static final String LOCKED =
      "Invoice INV-2026-000001 ($12.34) is overdue since 2026-03-15: the account is read-only"
          + " until it is paid.";

  private final BillingHarness billing =
      new BillingHarness(at("2026-03-10T12:00:00Z"), "{\"defaultPlan\": \"pro\"}");
  private final TestPluginContext host = billing.context;
  private final long february;

  PaymentLockTest() {
    billing.created("2026-03-10T12:00:00Z", "s1", "john", size("1", "1", "0"));
    billing.created("2026-03-10T12:00:00Z", "s2", "john", size("1", "1", "0"));
    billing.flush();
    february = sent("2026-02-01", "2026-03-01", "INV-2026-000001", "12.34", DUE);
    billing.runAt(FINALIZE_INVOICES, DUE); // marks it overdue
  }

  @AfterEach
  void close() {
    billing.close();
  }

  private static long sent(String from, String to, String number, String total, String due) {
    return invoice(
        "john",
        from + "T00:00:00Z",
        to + "T00:00:00Z",
        "sent",
        number,
        "USD",
        total,
        "0.00",
        total,
        due,
        null);
  }

  private JobRun checkQuotasAt(String now) {
    JobRun run = billing.runAt(CheckQuotasJob.NAME, now);
    assertEquals(JobOutcome.SUCCEEDED, run.outcome(), run.message());
    return run;
  }

  private List<String> lockEvents(TestPluginContext on) {
    return on.published().stream()
        .filter(e -> e.startsWith("billing.account."))
        .map(e -> e.substring(0, e.indexOf(' ')))
        .toList();
  }

  /**
   * What the host was told to do with sessions, each once: check-quotas suspends a held
   * account's sessions again at each run (idempotent on the host).
   */
  private List<String> sessionControls() {
    return host.sessionControls().stream().distinct().toList();
  }

  /** Whether admission refused for the lock (its other limits are not what this is about). */
  private static boolean locked(AdmissionDecision decision) {
    return "account_locked".equals(decision.code());
  }

  private AdmissionDecision admitJohn() {
    return billing.billing.admit(new AdmissionRequest("john", null, size("0.5", "1", "0")));
  }

  private Answer pay(long invoiceId) {
    return billing.call(
        HttpMethod.PATCH,
        "/admin/invoices/" + invoiceId,
        admin("root"),
        "{\"status\":\"paid\",\"note\":\"wire received\"}");
  }

  private Answer unlock(String body) {
    return billing.call(HttpMethod.POST, "/admin/users/john/unlock", admin("ada"), body);
  }

  private static void execute(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  private Answer changePlan() {
    return billing.call(
        HttpMethod.PUT, "/subscription", user("john"), "{\"plan_id\":\"enterprise\"}");
  }

  @Test
  void theAccountIsLockedExactlyThreeDaysAfterItsInvoiceWentOverdue_andNotASecondBefore() {
    checkQuotasAt("2026-03-18T00:59:59Z");
    AdmissionDecision before = admitJohn();
    List<String> suspendedBefore = host.sessionControls();
    checkQuotasAt(LOCKS_AT);

    assertFalse(locked(before));
    assertEquals(List.of(), suspendedBefore);
    assertEquals(List.of("suspend s1: " + LOCKED, "suspend s2: " + LOCKED), sessionControls());
    assertEquals("account_locked", admitJohn().code());
    assertEquals(LOCKED, admitJohn().reason());
    assertEquals(
        List.of(
            "billing.account.locked {\"user_id\":\"john\",\"org_id\":\"john\","
                + "\"reason\":\"non_payment\",\"detail\":\""
                + LOCKED
                + "\",\"placed_at\":\""
                + LOCKS_AT
                + "\",\"lifted_at\":null,\"lifted_by\":null,\"note\":null,"
                + "\"sessions\":[\"s1\",\"s2\"]}"),
        host.published().stream().filter(e -> e.startsWith("billing.account.")).toList());
  }

  /**
   * The amounts in the lock's sentence are written as the pages write them (money.MoneyText):
   * thu pays in VND, whose 3518 reads ₫3,518, in the 423's message too.
   */
  @Test
  void
      aGraceOfZeroDaysLocksAsSoonAsOverdue_namingSeveralInvoicesTogether_theirAmountsAsOnThePage() {
    billing.context.setConfigJson("{\"paymentGraceDays\": 0}");
    billing.billing.onConfigChanged(billing.context);
    sent("2026-01-01", "2026-02-01", "INV-2026-000000", "10.00", "2026-02-14T01:00:00Z");
    billing.userCreated("thu", Map.of("currency", "VND"));
    billing.flush();
    invoice(
        "thu",
        "2026-02-01T00:00:00Z",
        "2026-03-01T00:00:00Z",
        "sent",
        "INV-2026-000002",
        "VND",
        "3518",
        "0",
        "3518",
        DUE,
        null);
    billing.runAt(FINALIZE_INVOICES, DUE);

    checkQuotasAt(DUE);
    Answer thuChangesPlan =
        billing.call(HttpMethod.PUT, "/subscription", user("thu"), "{\"plan_id\":\"enterprise\"}");

    assertEquals(
        "Invoices INV-2026-000000, INV-2026-000001 ($22.34 in all) are overdue since"
            + " 2026-02-14: the account is read-only until they are paid.",
        admitJohn().reason());
    assertEquals(423, thuChangesPlan.status(), thuChangesPlan.toString());
    assertEquals(
        "Invoice INV-2026-000002 (₫3,518) is overdue since 2026-03-15: the account is read-only"
            + " until it is paid.",
        thuChangesPlan.body().at("/error/message").asText());
  }

  /**
   * A pack bought while check-quotas is placing the lock waits for it and is refused, rather
   * than slip in between the route's check and its insert. A lock the test holds on John's
   * invoice stops the lock's placing after it took the account row; the purchase then waits for
   * that row; released, the lock commits first and the purchase sees it.
   */
  @Test
  void aPackBoughtWhileTheLockIsBeingPlacedWaitsForIt_andIsRefusedWith423() throws Exception {
    billing.flush();
    billing.clock.set(at(LOCKS_AT));
    CompletableFuture<JobRun> locking;
    CompletableFuture<Answer> purchase;
    try (Connection invoices = TestDatabase.dataSource().getConnection();
        Statement s = invoices.createStatement()) {
      invoices.setAutoCommit(false);
      s.execute("SELECT 1 FROM billing_invoices WHERE user_id = 'john' FOR UPDATE");
      locking = CompletableFuture.supplyAsync(() -> host.scheduler().run(CheckQuotasJob.NAME));
      TestDatabase.awaitSessionsWaitingForALock(1); // the lock's placing, on the invoice
      purchase =
          CompletableFuture.supplyAsync(
              () -> billing.call(HttpMethod.POST, "/packs/slots-5/purchase", user("john"), "{}"));
      TestDatabase.awaitSessionsWaitingForALock(2); // the purchase, on the account row
      invoices.commit();
    }

    assertEquals(JobOutcome.SUCCEEDED, locking.get().outcome());
    assertEquals(423, purchase.get().status(), purchase.get().toString());
    assertEquals(LOCKED, purchase.get().body().at("/error/message").asText());
    assertEquals(0L, BillingHarness.value("SELECT count(*) FROM billing_pack_purchases"));
  }

  @Test
  void
      whileLocked_aPlanChangeOrAnOverageConfirmationIsRefusedWith423_andReadsAndAdminWritesKeepWorking() {
    checkQuotasAt(LOCKS_AT);

    Answer planChange = changePlan();
    Answer packPurchase =
        billing.call(HttpMethod.POST, "/packs/slots-5/purchase", user("john"), "{}");
    Answer overageConfirmation =
        billing.call(
            HttpMethod.POST, "/overage/confirm", user("john"), "{\"meter\":\"ai_queries\"}");
    Answer forJohnByAnAdmin =
        billing.call(
            HttpMethod.PUT,
            "/subscription",
            admin("ada"),
            "{\"plan_id\":\"enterprise\",\"user_id\":\"john\"}");

    assertEquals(423, planChange.status());
    assertEquals("account_locked", planChange.body().at("/error/code").asText());
    assertEquals(LOCKED, planChange.body().at("/error/message").asText());
    assertEquals(423, forJohnByAnAdmin.status(), "an admin unlocks first");
    assertEquals(423, overageConfirmation.status());
    assertEquals(423, packPurchase.status());
    assertEquals(
        "[\"non_payment\"]",
        billing
            .call(HttpMethod.GET, "/admin/users?user_id=john", admin("ada"))
            .body()
            .at("/users/0/holds")
            .toString());
    assertEquals(0L, BillingHarness.value("SELECT count(*) FROM billing_pack_purchases"));
    assertEquals("account_locked", overageConfirmation.body().at("/error/code").asText());
    assertEquals(
        "pro",
        billing
            .call(HttpMethod.GET, "/subscription", user("john"))
            .body()
            .path("plan_id")
            .asText());
    for (String read :
        List.of(
            "/usage",
            "/invoices",
            "/invoices/" + february,
            "/quota",
            "/credits",
            "/subscription")) {
      assertEquals(200, billing.call(HttpMethod.GET, read, user("john")).status(), read);
    }
    assertEquals(
        200,
        host.routes()
            .call(HttpMethod.GET, "/invoices/" + february + "/pdf", user("john"), null)
            .status());
    Answer credit =
        billing.call(
            HttpMethod.POST,
            "/admin/credits",
            admin("ada"),
            "{\"user_id\":\"john\",\"amount\":5,\"reason\":\"goodwill\"}");
    assertTrue(credit.status() < 300, credit.body().toString());
  }

  @Test
  void payingEveryOverdueInvoiceUnlocksAtOnce_resumingTheSessions_andNotBefore() {
    long march =
        sent("2026-03-01", "2026-03-02", "INV-2026-000002", "1.00", "2026-03-15T02:00:00Z");
    billing.runAt(FINALIZE_INVOICES, "2026-03-15T02:00:00Z");
    checkQuotasAt("2026-03-18T02:00:00Z");

    assertEquals(200, pay(february).status());
    List<String> afterTheFirst = host.sessionControls();
    boolean lockedAfterTheFirst = locked(admitJohn());
    assertEquals(200, pay(march).status());

    assertTrue(lockedAfterTheFirst, "INV-2026-000002 is still overdue past its grace");
    assertTrue(afterTheFirst.stream().noneMatch(c -> c.startsWith("resume")));
    assertEquals(
        List.of("resume s1", "resume s2"),
        host.sessionControls().subList(afterTheFirst.size(), host.sessionControls().size()));
    assertFalse(locked(admitJohn()));
    assertEquals(200, changePlan().status());
    checkQuotasAt("2026-03-18T02:05:00Z");
    assertEquals(List.of("billing.account.locked", "billing.account.unlocked"), lockEvents(host));
    assertTrue(host.published().stream().anyMatch(e -> e.contains("\"lifted_by\":\"billing\"")));
  }

  @Test
  void voidingTheOverdueInvoiceUnlocksToo() {
    checkQuotasAt(LOCKS_AT);

    Answer voided =
        billing.call(
            HttpMethod.PATCH,
            "/admin/invoices/" + february,
            admin("root"),
            "{\"status\":\"void\",\"note\":\"billed in error\"}");

    assertEquals(200, voided.status());
    assertEquals(List.of("billing.account.locked", "billing.account.unlocked"), lockEvents(host));
  }

  @Test
  void anAdminUnlocksByHandWithANote_andOnlyALaterInvoiceOverduePastItsGraceLocksAgain() {
    Answer notLocked = unlock("{\"note\":\"promised to pay\"}");
    checkQuotasAt(LOCKS_AT);
    Answer withoutNote = unlock("{}");
    Answer notAdmin =
        billing.call(
            HttpMethod.POST, "/admin/users/john/unlock", user("john"), "{\"note\":\"please\"}");
    billing.clock.set(at("2026-03-18T09:00:00Z"));
    Answer unlocked = unlock("{\"note\":\"promised to pay by Friday\"}");
    checkQuotasAt("2026-03-19T09:00:00Z");
    AdmissionDecision afterAnotherCheck = admitJohn();
    sent("2026-03-01", "2026-03-02", "INV-2026-000002", "1.00", "2026-03-20T00:00:00Z");
    billing.runAt(FINALIZE_INVOICES, "2026-03-20T00:00:00Z");
    checkQuotasAt("2026-03-23T00:00:00Z");

    assertEquals(409, notLocked.status());
    assertEquals("not_locked", notLocked.body().at("/error/code").asText());
    assertEquals(400, withoutNote.status());
    assertEquals("reason", withoutNote.errorField());
    assertEquals(403, notAdmin.status());
    assertEquals(200, unlocked.status(), unlocked.body().toString());
    assertEquals("ada", unlocked.body().path("lifted_by").asText());
    assertEquals("promised to pay by Friday", unlocked.body().path("note").asText());
    assertEquals("2026-03-18T09:00:00Z", unlocked.body().path("lifted_at").asText());
    assertTrue(
        !locked(afterAnotherCheck),
        "the invoice overdue at the unlock locks no more: " + afterAnotherCheck.reason());
    assertEquals(
        List.of("suspend s1: " + LOCKED, "suspend s2: " + LOCKED, "resume s1", "resume s2"),
        sessionControls().subList(0, 4));
    assertEquals("account_locked", admitJohn().code());
    assertTrue(admitJohn().reason().startsWith("Invoice INV-2026-000002 ($1.00)"));
    assertEquals(
        List.of("billing.account.locked", "billing.account.unlocked", "billing.account.locked"),
        lockEvents(host));
  }

  @Test
  void twoPluginInstancesOnOneDatabase_lockAndUnlockOnce_andTheOtherRefusesAtOnce() {
    TestPluginContext otherHost = new TestPluginContext(billing.clock);
    BillingExtension other = new BillingExtension();
    other.onLoad(otherHost);
    try {
      checkQuotasAt(LOCKS_AT);
      JobRun otherRun = otherHost.scheduler().run(CheckQuotasJob.NAME);
      checkQuotasAt(LOCKS_AT);
      Answer planChangeThere =
          new BillingHarness.Answer(
              otherHost
                  .routes()
                  .call(
                      HttpMethod.PUT, "/subscription", user("john"), "{\"plan_id\":\"enterprise\"}")
                  .status(),
              null);
      Answer paid =
          new BillingHarness.Answer(
              otherHost
                  .routes()
                  .call(
                      HttpMethod.PATCH,
                      "/admin/invoices/" + february,
                      admin("root"),
                      "{\"status\":\"paid\",\"note\":\"wire\"}")
                  .status(),
              null);
      otherHost.scheduler().run(CheckQuotasJob.NAME);
      checkQuotasAt("2026-03-18T01:05:00Z");

      assertEquals(JobOutcome.SUCCEEDED, otherRun.outcome(), otherRun.message());
      assertEquals(423, planChangeThere.status(), "read from the database, not the other's memory");
      assertEquals(200, paid.status());
      assertEquals(List.of("billing.account.locked"), lockEvents(host));
      assertEquals(List.of("billing.account.unlocked"), lockEvents(otherHost));
      assertEquals(
          1L, BillingHarness.value("SELECT count(*) FROM billing_account_holds"), "placed once");
      assertEquals(
          0L,
          BillingHarness.value(
              "SELECT count(*) FROM billing_account_holds WHERE lifted_at IS NULL"));
      assertFalse(locked(admitJohnOn(other)), "the node that unlocked knows at once");
    } finally {
      other.onUnload(otherHost);
    }
  }

  private static AdmissionDecision admitJohnOn(BillingExtension node) {
    return node.admit(new AdmissionRequest("john", null, size("0.5", "1", "0")));
  }

  @Test
  void anUnlockWhileTheLockIsBeingPlacedWaitsForIt_thenWaivesTheInvoiceAndLiftsIt()
      throws Exception {
    billing.clock.set(at(LOCKS_AT));
    Answer unlocked;
    try (Connection placing = TestDatabase.dataSource().getConnection()) {
      placing.setAutoCommit(false);
      // as check-quotas places the lock: john's locking invoices locked, then the hold inserted
      execute(
          placing,
          "SELECT id FROM billing_invoices WHERE user_id = 'john' AND status = 'overdue'"
              + " ORDER BY id FOR UPDATE");
      execute(
          placing,
          "INSERT INTO billing_account_holds (user_id, reason, detail, placed_at)"
              + " VALUES ('john', 'non_payment', 'Locked.', '"
              + LOCKS_AT
              + "')");
      CompletableFuture<Answer> unlocking =
          CompletableFuture.supplyAsync(() -> unlock("{\"note\":\"promised to pay\"}"));
      TestDatabase.awaitSessionsWaitingForALock(1);
      placing.commit();
      unlocked = unlocking.get();
    }
    checkQuotasAt("2026-03-18T01:05:00Z");

    assertEquals(200, unlocked.status(), unlocked.body().toString());
    assertNotNull(
        BillingHarness.value("SELECT lock_waived_at FROM billing_invoices WHERE id = ?", february),
        "the invoice overdue at the unlock is waived");
    assertFalse(locked(admitJohn()), "the next check does not lock again");
    assertEquals(
        0L,
        BillingHarness.value("SELECT count(*) FROM billing_account_holds WHERE lifted_at IS NULL"));
  }
}
