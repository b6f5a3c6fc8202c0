package io.streamspace.billing.audit;

import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.rows;
import static io.streamspace.billing.support.BillingHarness.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.plugin.api.config.ConfigProblem;
import io.streamspace.plugin.api.config.ConfigSaving;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A change of the billing configuration, as the host hands it in the transaction that saves it
 * ({@code ConfigurablePlugin.onConfigSaving}): one {@code config.changed} entry on that
 * transaction, with each changed key's value in effect before and after, the admin's reason and
 * request id; refused without a reason; nothing written when no key changed. The host's side (the
 * header, the rollback of a refused change) is {@code ConfigChangeAuditE2ETest}.
 */
class ConfigChangeAuditedTest {

  /** When the host saves the change; the entry holds it (as {@code occurred_at} below). */
  private static final Instant SAVED_AT = at("2026-03-10T12:30:00Z");

  private final BillingHarness billing = new BillingHarness(at("2026-03-10T12:00:00Z"));

  @AfterEach
  void unload() {
    billing.close();
  }

  /** The host's hand-over, on a connection of the test database. */
  private record Saving(
      Connection connection,
      Instant at,
      String changedBy,
      Optional<String> reason,
      Optional<String> requestId,
      String beforeJson,
      String afterJson,
      List<String> changedKeys,
      Set<String> secretsChanged)
      implements ConfigSaving {}

  private List<ConfigProblem> save(
      String reason, String before, String after, List<String> keys, Set<String> secrets)
      throws SQLException {
    try (Connection connection = TestDatabase.dataSource().getConnection()) {
      connection.setAutoCommit(false);
      List<ConfigProblem> problems =
          billing.billing.onConfigSaving(
              new Saving(
                  connection,
                  SAVED_AT,
                  "root",
                  Optional.ofNullable(reason),
                  Optional.of("req-7"),
                  before,
                  after,
                  keys,
                  secrets));
      connection.commit();
      return problems;
    }
  }

  private static long entries() {
    return (Long) value("SELECT count(*) FROM billing_audit_entries");
  }

  @Test
  void aPriceAndModeChangeWritesOneEntry_eachKeyWithItsValueInEffectBeforeAndAfter()
      throws SQLException {
    List<ConfigProblem> problems =
        save(
            "CPU costs us more since March",
            "{\"invoiceDay\": 5}",
            "{\"invoiceDay\": 5, \"billingMode\": \"hybrid\","
                + " \"computeRates\": {\"cpu_per_core_hour\": 0.08}}",
            List.of("billingMode", "computeRates.cpu_per_core_hour"),
            Set.of());

    assertEquals(List.of(), problems);
    // the defaults were in effect before: usage mode, 0.05 a core-hour (never saved)
    assertEquals(
        List.of(
            List.of(
                "admin",
                "root",
                "config.changed",
                "config",
                "{\"billingMode\": \"usage\", \"computeRates.cpu_per_core_hour\": 0.05}",
                "{\"billingMode\": \"hybrid\", \"computeRates.cpu_per_core_hour\": 0.08}",
                "CPU costs us more since March",
                "req-7",
                true)),
        rows(
            """
            SELECT actor_type, actor_id, kind, subject, before::text, after::text, reason,
                   request_id, occurred_at = timestamptz '2026-03-10 12:30:00+00'
            FROM billing_audit_entries WHERE org_id IS NULL"""));
  }

  @Test
  void aSecretIsNamedAndNeverValued() throws SQLException {
    save(
        "rotate the Stripe key", "{}", "{}", List.of("stripeSecretKey"), Set.of("stripeSecretKey"));

    assertEquals(
        List.of(
            List.of("{}", "{\"stripeSecretKey\": \"" + ConfigChangeAudit.SECRET_CHANGED + "\"}")),
        rows(
            "SELECT before::text, after::text FROM billing_audit_entries"
                + " WHERE kind = 'config.changed'"));
  }

  @Test
  void aChangeWithoutAReasonIsRefusedNamingReason_andWritesNothing() throws SQLException {
    long before = entries();

    List<ConfigProblem> problems =
        save("  ", "{}", "{\"invoiceDay\": 9}", List.of("invoiceDay"), Set.of());

    assertEquals(1, problems.size());
    assertEquals("reason", problems.get(0).key());
    assertTrue(problems.get(0).message().startsWith("is required"), problems.get(0).message());
    assertEquals(before, entries());
  }

  /** Issue 51: the header's reason is checked as a body's is: no letter or digit says nothing. */
  @ParameterizedTest
  @ValueSource(strings = {"\u200B", "\u2063\u00A0", "...", "-- !?"})
  void aReasonWithNoLetterOrDigitIsRefusedNamingReason_andWritesNothing(String reason)
      throws SQLException {
    long before = entries();

    List<ConfigProblem> problems =
        save(reason, "{}", "{\"invoiceDay\": 9}", List.of("invoiceDay"), Set.of());

    assertEquals(1, problems.size());
    assertEquals("reason", problems.get(0).key());
    assertEquals(before, entries());
  }

  @Test
  void aSaveThatChangesNoKeyNeedsNoReasonAndWritesNothing() throws SQLException {
    long before = entries();

    assertEquals(List.of(), save(null, "{}", "{}", List.of(), Set.of()));
    assertEquals(before, entries());
  }

  @Test
  void configChangesFollowEachOtherOnThePlatformWideChain_whichVerifies() throws SQLException {
    save("first", "{}", "{\"invoiceDay\": 9}", List.of("invoiceDay"), Set.of());
    save("second", "{\"invoiceDay\": 9}", "{\"invoiceDay\": 10}", List.of("invoiceDay"), Set.of());

    assertEquals(
        List.of(List.of("", 1L, "9", "first"), List.of("", 2L, "10", "second")),
        rows(
            """
            SELECT chain, chain_seq, after->>'invoiceDay', reason FROM billing_audit_entries
            WHERE kind = 'config.changed' ORDER BY chain_seq"""));
    assertTrue(new AuditLog(TestDatabase.dataSource()).verify().intact());
  }
}
