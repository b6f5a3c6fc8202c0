package io.streamspace.billing.credits;

import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.rows;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.value;
import static io.streamspace.billing.support.InvoiceFixtures.GENERATE_INVOICES;
import static io.streamspace.billing.support.InvoiceFixtures.grantCredit;
import static io.streamspace.billing.support.InvoiceFixtures.invoiceId;
import static io.streamspace.billing.support.InvoiceFixtures.invoices;
import static io.streamspace.billing.support.InvoiceFixtures.remaining;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.audit.AuditLog;
import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.jobs.CheckQuotasJob;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.jobs.JobOutcome;
import io.streamspace.plugin.api.jobs.JobRun;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.PGStatement;

/**
 * A credit's expiry in the audit trail: check-quotas moves what an expired credit has left into
 * {@code expired_amount} with one {@code credit.expired} entry, a day after the expiry, once.
 *
 * <p>The figures: ann's credit of 10.00 expires on 15 April; her March invoice (70 core-hours at
 * 0.05 = 3.50), finalized on 1 April, uses 3.50 of it, so 6.50 is left and forfeited.
 */
class CreditExpiryTest {

  private static final String EXPIRES = "2026-04-15T00:00:00Z";

  private final BillingHarness billing = new BillingHarness(at("2026-03-01T00:00:00Z"));

  @BeforeEach
  void ann() {
    billing.userCreated("ann", Map.of());
    billing.flush();
  }

  @AfterEach
  void unload() {
    billing.close();
  }

  /** ann's credit of 10.00 with 3.50 of it used by her March invoice; answers its id. */
  private long creditWithThreeFiftyUsed() {
    long credit = creditUsedByMarch("10.00");
    assertEquals("6.50", remaining(credit));
    return credit;
  }

  /**
   * ann's credit of {@code amount} expiring on 15 April, and her March invoice of 3.50 (70
   * core-hours at 0.05), finalized on 1 April with the credit applied; answers its id.
   */
  private long creditUsedByMarch(String amount) {
    long credit = grantCredit("ann", amount, "USD", "goodwill", "2026-03-01T00:00:00Z", EXPIRES);
    billing.created("2026-03-10T10:00:00Z", "s1", "ann", size("35", "0", "0"));
    billing.terminated("2026-03-10T12:00:00Z", "s1", "ann"); // 70 core-hours = 3.50
    billing.calculateUsageAt("2026-04-01T01:00:00Z");
    run(GENERATE_INVOICES, "2026-04-01T01:00:00Z");
    assertEquals(
        List.of("2026-03-01T00:00:00Z..2026-04-01T00:00:00Z paid INV-2026-000001 3.50 3.50 0.00"),
        invoices("ann"));
    return credit;
  }

  private void run(String job, String now) {
    JobRun run = billing.runAt(job, now);
    assertEquals(JobOutcome.SUCCEEDED, run.outcome(), job + ": " + run.message());
  }

  private static List<List<Object>> expiredEntries() {
    return rows(
        """
        SELECT actor_type, actor_id, org_id, subject,
               to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
               before::text, after::text
        FROM billing_audit_entries WHERE kind = 'credit.expired' ORDER BY id""");
  }

  private static List<Object> marking(long credit) {
    return rows(
            """
            SELECT remaining::text, expired_amount::text,
                   to_char(expired_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
            FROM billing_credits WHERE id = ?""",
            credit)
        .get(0);
  }

  @Test
  void aCreditExpiredWithSixFiftyLeftWritesOneEntryFromSixFiftyToNothingForfeited()
      throws SQLException {
    long credit = creditWithThreeFiftyUsed();

    run(CheckQuotasJob.NAME, "2026-04-16T00:00:00Z");

    assertEquals(
        List.of(
            List.of(
                "job",
                "check-quotas",
                "ann",
                "credit:" + credit,
                "2026-04-16T00:00:00Z",
                "{\"currency\": \"USD\", \"remaining\": 6.50, \"expires_at\":"
                    + " \"2026-04-15T00:00:00Z\"}",
                "{\"currency\": \"USD\", \"remaining\": 0.00, \"expired_at\":"
                    + " \"2026-04-15T00:00:00Z\", \"expired_amount\": 6.50}")),
        expiredEntries());
    assertEquals(List.of("0", "6.50", EXPIRES), marking(credit));
    assertEquals(
        "10.00",
        value(
            """
            SELECT (sum(a.amount) + c.remaining + c.expired_amount)::text
            FROM billing_credits c JOIN billing_credit_applications a ON a.credit_id = c.id
            WHERE c.id = ? GROUP BY c.id""",
            credit),
        "what was applied, what is left and what expired add up to the credit");
    assertTrue(new AuditLog(TestDatabase.dataSource()).verify().intact(), "the chain holds");
  }

  @Test
  void annsStatementShowsTheCreditExpiredWithSixFiftyForfeited_onceTheJobMarkedIt() {
    long credit = creditWithThreeFiftyUsed();
    billing.clock.set(at("2026-04-15T12:00:00Z"));
    JsonNode before = statementCredit(credit);
    assertTrue(before.get("expired").booleanValue());
    assertTrue(before.get("expired_amount").isNull(), "not marked yet: " + before);
    assertEquals("6.50", before.get("remaining").decimalValue().toPlainString());

    run(CheckQuotasJob.NAME, "2026-04-16T00:00:00Z");

    JsonNode after = statementCredit(credit);
    assertEquals("6.50", after.get("expired_amount").decimalValue().toPlainString());
    assertEquals("0.00", after.get("remaining").decimalValue().toPlainString());
  }

  /** The credit as ann's {@code GET /credits} shows it. */
  private JsonNode statementCredit(long credit) {
    Answer statement = billing.call(HttpMethod.GET, "/credits", BillingHarness.user("ann"));
    assertEquals(200, statement.status(), statement.toString());
    for (JsonNode entry : statement.body().get("credits")) {
      if (entry.get("id").asLong() == credit) {
        return entry;
      }
    }
    throw new AssertionError("credit " + credit + " not in " + statement);
  }

  @Test
  void theJobRunAgainWritesNoSecondEntry() {
    long credit = creditWithThreeFiftyUsed();

    run(CheckQuotasJob.NAME, "2026-04-16T00:00:00Z");
    run(CheckQuotasJob.NAME, "2026-04-16T00:05:00Z");
    run(CheckQuotasJob.NAME, "2026-05-01T00:00:00Z");

    assertEquals(1, expiredEntries().size());
    assertEquals(List.of("0", "6.50", EXPIRES), marking(credit));
  }

  @Test
  void aCreditUsedUpBeforeItExpiredWritesNone() {
    long credit = creditUsedByMarch("3.50");
    assertEquals("0.00", remaining(credit));

    run(CheckQuotasJob.NAME, "2026-04-16T00:00:00Z");

    assertEquals(List.of(), expiredEntries());
    assertEquals(Arrays.asList("0.00", null, null), marking(credit));
  }

  @Test
  void aCreditNotExpiredYetOrExpiredLessThanADayAgoWritesNone() {
    long credit = creditWithThreeFiftyUsed();

    run(CheckQuotasJob.NAME, "2026-04-14T23:59:59Z"); // not expired
    run(CheckQuotasJob.NAME, "2026-04-15T23:59:59Z"); // expired, a finalization might still use it

    assertEquals(List.of(), expiredEntries());
    assertEquals(Arrays.asList("6.50", null, null), marking(credit));
  }

  @Test
  void aCreditThatNeverExpiresWritesNone() {
    long credit = grantCredit("ann", "10.00", "USD", "goodwill", "2026-03-01T00:00:00Z", null);

    run(CheckQuotasJob.NAME, "2030-01-01T00:00:00Z");

    assertEquals(List.of(), expiredEntries());
    assertEquals("10.00", remaining(credit));
  }

  /** An entry the database refuses (a constraint added for the test) leaves the credit as it was. */
  @Test
  void aFailingEntryLeavesTheCreditUnmarked() throws SQLException {
    long credit = creditWithThreeFiftyUsed();
    asSuperuserWithoutTriggers(
        "ALTER TABLE billing_audit_entries ADD CONSTRAINT test_refuses"
            + " CHECK (kind <> 'credit.expired') NOT VALID");
    try {
      SQLException refused =
          assertThrows(SQLException.class, () -> expiry("2026-04-16T00:00:00Z").markExpired(job()));
      assertEquals("23514", refused.getSQLState());
      assertEquals(Arrays.asList("6.50", null, null), marking(credit));
      assertEquals(List.of(), expiredEntries());
    } finally {
      asSuperuserWithoutTriggers("ALTER TABLE billing_audit_entries DROP CONSTRAINT test_refuses");
    }
  }

  /**
   * A run skips an account another transaction holds (a finalization, a void, the other node's
   * run) and the next run marks it; two runs at once write one entry.
   */
  @Test
  void twoRunsAtOnceWriteOneEntryAndALockedAccountWaitsForTheNextRun() throws Exception {
    long credit = creditWithThreeFiftyUsed();
    CreditExpiry expiry = expiry("2026-04-16T00:00:00Z");

    try (Connection holder = TestDatabase.dataSource().getConnection()) {
      holder.setAutoCommit(false);
      try (Statement s = holder.createStatement()) {
        s.execute("SELECT 1 FROM billing_accounts WHERE user_id = 'ann' FOR NO KEY UPDATE");
      }
      assertEquals(0, expiry.markExpired(job()), "skipped while another transaction holds it");
      holder.rollback();
    }
    CompletableFuture<Integer> first = CompletableFuture.supplyAsync(() -> mark(expiry));
    CompletableFuture<Integer> second = CompletableFuture.supplyAsync(() -> mark(expiry));

    assertEquals(1, first.get() + second.get());
    assertEquals(1, expiredEntries().size());
    assertEquals(List.of("0", "6.50", EXPIRES), marking(credit));
  }

  /**
   * Voiding the March invoice after the marking gives its 3.50 back to a credit that has
   * expired: the next run forfeits it too, with its own entry, and the credit has forfeited all
   * of its 10.00.
   */
  @Test
  void aUseGivenBackAfterTheMarkingIsForfeitedByTheNextRunWithItsOwnEntry() throws SQLException {
    long credit = creditWithThreeFiftyUsed();
    run(CheckQuotasJob.NAME, "2026-04-16T00:00:00Z");
    try (Connection c = TestDatabase.dataSource().getConnection()) {
      CreditApplier.giveBack(
          c, invoiceId("ann", "2026-03-01T00:00:00Z"), at("2026-04-20T00:00:00Z"));
    }
    assertEquals(List.of("3.50", "6.50", EXPIRES), marking(credit));

    run(CheckQuotasJob.NAME, "2026-04-20T00:05:00Z");

    List<List<Object>> entries = expiredEntries();
    assertEquals(2, entries.size(), entries.toString());
    assertEquals(
        "{\"currency\": \"USD\", \"remaining\": 3.50, \"expires_at\": \"2026-04-15T00:00:00Z\","
            + " \"expired_amount\": 6.50}",
        entries.get(1).get(5));
    assertEquals(
        "{\"currency\": \"USD\", \"remaining\": 0.00, \"expired_at\": \"2026-04-15T00:00:00Z\","
            + " \"expired_amount\": 10.00}",
        entries.get(1).get(6));
    assertEquals(List.of("0", "10.00", EXPIRES), marking(credit));
  }

  /** The database keeps the two columns consistent with each other and with the credit. */
  @Test
  void aMarkingThatDoesNotAddUpIsRefusedByTheDatabase() {
    long credit = creditWithThreeFiftyUsed();

    IllegalStateException refused =
        assertThrows(
            IllegalStateException.class,
            () ->
                value(
                    "UPDATE billing_credits SET expired_at = expires_at, expired_amount = 6.50"
                        + " WHERE id = ? RETURNING id",
                    credit));
    assertTrue(
        refused.getCause().getMessage().contains("billing_credits_expiry_recorded"),
        refused.getCause().getMessage());
  }

  /**
   * The run's two statements find the credits through the partial index, not by reading the
   * table: of 20,000 credits, most used up long ago or never expiring, 10 are due.
   */
  @Test
  void theRunReadsOnlyTheCreditsDueThroughItsIndex() throws Exception {
    TestDatabase.execute(
        """
        INSERT INTO billing_credits (user_id, amount, remaining, currency, reason, granted_by,
                                     granted_at, expires_at)
        SELECT 'ann', 1, CASE WHEN i <= 10 THEN 1 ELSE 0 END, 'USD', 'r', 'root',
               '2025-01-01', CASE WHEN i % 10 = 1 AND i > 10 THEN NULL
                                  ELSE timestamptz '2025-06-01' + i * interval '1 minute' END
        FROM generate_series(1, 20000) i;
        ANALYZE billing_credits""");
    Timestamp expiredBy = Timestamp.from(Instant.parse("2026-01-01T00:00:00Z"));

    String lock = plan(CreditExpiry.LOCK_ACCOUNTS.jdbcSql(), expiredBy, CreditExpiry.BATCH);
    String mark = plan(CreditExpiry.MARK.jdbcSql(), new String[] {"ann"}, expiredBy);

    assertTrue(
        lock.contains("billing_credits_expiring") && !lock.contains("Seq Scan on billing_credits"),
        lock);
    assertTrue(!mark.contains("Seq Scan on billing_credits"), mark);
    assertEquals(10, expiry("2026-01-02T00:00:00Z").markExpired(job()));
  }

  /** The plan PostgreSQL chooses for the statement with these values, as text. */
  private static String plan(String sql, Object... values) throws SQLException {
    try (Connection c = TestDatabase.dataSource().getConnection();
        PreparedStatement explain = c.prepareStatement("EXPLAIN " + sql)) {
      explain.unwrap(PGStatement.class).setPrepareThreshold(0);
      for (int i = 0; i < values.length; i++) {
        explain.setObject(
            i + 1,
            values[i] instanceof String[] texts ? c.createArrayOf("text", texts) : values[i]);
      }
      StringBuilder plan = new StringBuilder();
      try (ResultSet rs = explain.executeQuery()) {
        while (rs.next()) {
          plan.append(rs.getString(1)).append('\n');
        }
      }
      return plan.toString();
    }
  }

  private static CreditExpiry expiry(String now) {
    return new CreditExpiry(
        TestDatabase.dataSource(), Clock.fixed(Instant.parse(now), ZoneOffset.UTC));
  }

  private static Cause job() {
    return Cause.job(CheckQuotasJob.NAME);
  }

  private static int mark(CreditExpiry expiry) {
    try {
      return expiry.markExpired(job());
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void asSuperuserWithoutTriggers(String sql) throws SQLException {
    try (Connection c = TestDatabase.dataSource().getConnection();
        Statement s = c.createStatement()) {
      s.execute(
          "SET session_replication_role = replica; " + sql + "; RESET session_replication_role");
    }
  }
}
