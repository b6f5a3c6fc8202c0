package io.streamspace.billing.audit;

import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.rows;
import static io.streamspace.billing.support.BillingHarness.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.billing.credits.CreditRepository;
import io.streamspace.billing.credits.NewCredit;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.plugin.api.http.HttpMethod;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The trail itself: one entry per change with its cause, the chain and its verification, the
 * table refusing edits, and an entry committed only with its change.
 */
class AuditTrailTest {

  private final BillingHarness billing = new BillingHarness(at("2026-03-10T12:00:00Z"));

  @BeforeEach
  void accounts() {
    billing.userCreated("ann", Map.of());
    billing.userCreated("bob", Map.of());
    billing.flush();
  }

  @AfterEach
  void unload() {
    billing.close();
  }

  private Answer grant(String user, String amount, String requestId) {
    return billing.call(
        HttpMethod.POST,
        "/admin/credits",
        admin("root"),
        """
        {"user_id": "%s", "amount": %s, "reason": "goodwill"}"""
            .formatted(user, amount),
        requestId == null ? Map.of() : Map.of("x-request-id", requestId));
  }

  private static long entries() {
    return (Long) value("SELECT count(*) FROM billing_audit_entries");
  }

  @Test
  void aGrantWritesOneEntryWithItsCauseAndTheCreditAfter() {
    Answer answer = grant("ann", "12.5", "req-1");

    assertEquals(201, answer.status(), answer.body().toString());
    assertEquals(
        List.of(
            List.of(
                "admin",
                "root",
                "ann",
                "credit.granted",
                "credit:" + answer.body().get("id").asLong(),
                "goodwill",
                "req-1",
                "2026-03-10 12:00:00+00",
                true,
                true)),
        rows(
            """
            SELECT actor_type, actor_id, org_id, kind, subject, reason, request_id,
                   to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS+00'),
                   before IS NULL, after = ?::jsonb
            FROM billing_audit_entries""",
            answer.body().toString()));
  }

  @Test
  void eachOrganizationHasAChainWhoseLinksHoldTheHashOfThePreviousEntry() {
    grant("ann", "1", null);
    grant("bob", "2", null);
    grant("ann", "3", null);

    assertEquals(
        List.of(List.of("ann", 1L, true), List.of("bob", 1L, true), List.of("ann", 2L, false)),
        rows("SELECT chain, chain_seq, prev_hash IS NULL FROM billing_audit_entries ORDER BY id"));
    assertEquals(
        Boolean.TRUE,
        value(
            """
            SELECT second.prev_hash = first.hash FROM billing_audit_entries first,
                   billing_audit_entries second
            WHERE first.chain = 'ann' AND first.chain_seq = 1
              AND second.chain = 'ann' AND second.chain_seq = 2"""));
  }

  @Test
  void verifyOnAnIntactTrailCountsTheEntriesChecked() {
    grant("ann", "1", null);
    grant("bob", "2", null);
    grant("ann", "3", null);

    Answer answer = billing.call(HttpMethod.GET, "/admin/audit/verify", admin("root"));

    assertEquals(200, answer.status());
    assertEquals(
        "{\"intact\":true,\"checked\":3,\"chains\":2,\"broken\":null,\"anchoring\":\"off\","
            + "\"checkpoint_at\":null}",
        answer.body().toString());
  }

  @Test
  void verifyReportsTheEntryASuperuserEditedAsTheFirstBrokenLink() throws SQLException {
    grant("ann", "1", null);
    grant("ann", "2", null);
    grant("ann", "3", null);
    long second = (Long) value("SELECT id FROM billing_audit_entries WHERE chain_seq = 2");

    asSuperuserWithoutTriggers(
        "UPDATE billing_audit_entries SET after = jsonb_set(after, '{amount}', '200')"
            + " WHERE id = "
            + second);

    Answer answer = billing.call(HttpMethod.GET, "/admin/audit/verify", admin("root"));
    assertEquals(false, answer.body().get("intact").asBoolean(), answer.body().toString());
    assertEquals(second, answer.body().at("/broken/id").asLong());
    assertTrue(
        answer.body().at("/broken/problem").asText().startsWith("its content does not match"),
        answer.body().toString());
  }

  @Test
  void verifyReportsAnEntryDeletedFromTheMiddleOrTheEndOfAChain() throws SQLException {
    grant("ann", "1", null);
    grant("ann", "2", null);
    grant("ann", "3", null);
    long third = (Long) value("SELECT id FROM billing_audit_entries WHERE chain_seq = 3");

    asSuperuserWithoutTriggers("DELETE FROM billing_audit_entries WHERE chain_seq = 2");
    Answer middle = billing.call(HttpMethod.GET, "/admin/audit/verify", admin("root"));
    assertEquals(third, middle.body().at("/broken/id").asLong(), middle.body().toString());

    asSuperuserWithoutTriggers("DELETE FROM billing_audit_entries WHERE chain_seq = 3");
    Answer end = billing.call(HttpMethod.GET, "/admin/audit/verify", admin("root"));
    assertTrue(
        end.body().at("/broken/problem").asText().contains("missing at its end"),
        end.body().toString());
  }

  /** The trigger holds for every role, the tests' superuser too; the REVOKE for others. */
  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "UPDATE billing_audit_entries SET reason = 'rewritten'",
        "DELETE FROM billing_audit_entries",
        "TRUNCATE billing_audit_entries"
      })
  void theApplicationsConnectionCannotChangeAnEntry(String sql) {
    grant("ann", "1", null);

    SQLException refused =
        assertThrows(SQLException.class, () -> execute(TestDatabase.dataSource(), sql));
    assertEquals("42501", refused.getSQLState(), refused.getMessage());
    assertEquals(1L, entries());
    assertEquals("goodwill", value("SELECT reason FROM billing_audit_entries"));
  }

  /**
   * A crash between the entry and the commit: the connection is gone (as with a killed process)
   * when the change asks to commit. Neither the credit nor its entry is left.
   */
  @Test
  void aChangeWhoseTransactionFailsAfterItsEntryLeavesNeither() {
    CreditRepository crashing = new CreditRepository(crashingAtCommit(TestDatabase.dataSource()));

    assertThrows(SQLException.class, () -> crashing.grant(credit(), Cause.job("test")));

    assertEquals(0L, entries());
    assertEquals(0L, value("SELECT count(*) FROM billing_credits"));
    assertEquals(0L, value("SELECT count(*) FROM billing_audit_chains"));
  }

  /** An entry the database refuses (here a constraint added for the test) stores no change. */
  @Test
  void anEntryThatFailsLeavesNoChange() throws SQLException {
    asSuperuserWithoutTriggers(
        "ALTER TABLE billing_audit_entries ADD CONSTRAINT test_refuses"
            + " CHECK (kind <> 'credit.granted') NOT VALID");
    try {
      CreditRepository credits = new CreditRepository(TestDatabase.dataSource());
      SQLException refused =
          assertThrows(SQLException.class, () -> credits.grant(credit(), Cause.job("test")));
      assertEquals("23514", refused.getSQLState());
      assertEquals(0L, value("SELECT count(*) FROM billing_credits"));
      assertEquals(0L, entries());
    } finally {
      asSuperuserWithoutTriggers("ALTER TABLE billing_audit_entries DROP CONSTRAINT test_refuses");
    }
  }

  private static NewCredit credit() {
    return new NewCredit(
        "ann",
        BigDecimal.TEN,
        Currency.getInstance("USD"),
        "r",
        "root",
        at("2026-03-10T12:00:00Z"),
        null);
  }

  /** The tests connect as a superuser, who may turn triggers off in a session. */
  static void asSuperuserWithoutTriggers(String sql) throws SQLException {
    execute(
        TestDatabase.dataSource(),
        "SET session_replication_role = replica; " + sql + "; RESET session_replication_role");
  }

  private static void execute(DataSource dataSource, String sql) throws SQLException {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  /** Connections whose commit closes them instead, as a process dying before it would. */
  private static DataSource crashingAtCommit(DataSource real) {
    return (DataSource)
        Proxy.newProxyInstance(
            AuditTrailTest.class.getClassLoader(),
            new Class<?>[] {DataSource.class},
            (proxy, method, args) -> {
              Object result = invoke(real, method, args);
              return result instanceof Connection connection ? crashing(connection) : result;
            });
  }

  private static Connection crashing(Connection real) {
    return (Connection)
        Proxy.newProxyInstance(
            AuditTrailTest.class.getClassLoader(),
            new Class<?>[] {Connection.class},
            (proxy, method, args) -> {
              if (method.getName().equals("commit")) {
                real.unwrap(Connection.class).close(); // the pool's physical connection
                throw new SQLException("the process died before the commit", "08006");
              }
              return invoke(real, method, args);
            });
  }

  private static Object invoke(Object target, java.lang.reflect.Method method, Object[] args)
      throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
