package io.streamspace.billing.credits;

import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.value;
import static io.streamspace.billing.support.InvoiceFixtures.grantCredit;
import static io.streamspace.billing.support.InvoiceFixtures.remaining;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.streamspace.billing.credits.CreditApplier.Application;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.TestDatabase;
import java.math.BigDecimal;
import java.sql.Connection;
import java.time.Instant;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two invoice runs for one account racing for its credits, on two connections: the second
 * waits for the first's row locks and then sees what is left, so the balance is never
 * overspent.
 */
class CreditApplierConcurrencyTest {

  private static final Instant NOW = at("2026-04-01T01:00:00Z");
  private static final Currency USD = Currency.getInstance("USD");

  private final BillingHarness billing = new BillingHarness(at("2026-03-01T00:00:00Z"));
  private final DataSource dataSource = TestDatabase.dataSource();

  @AfterEach
  void unload() {
    billing.close();
  }

  @Test
  void twoConcurrentRunsNeverApplyMoreThanTheBalance() throws Exception {
    billing.userCreated("kim", Map.of());
    billing.flush();
    long credit = grantCredit("kim", "5.00", "USD", "goodwill", "2026-03-01T00:00:00Z", null);
    long first = draft("2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z");
    long second = draft("2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z");

    try (Connection a = dataSource.getConnection();
        Connection b = dataSource.getConnection()) {
      a.setAutoCommit(false);
      b.setAutoCommit(false);
      List<Application> firstUse =
          CreditApplier.apply(a, first, "kim", USD, new BigDecimal("4.00"), NOW);
      // the second run starts while the first holds the credit's row lock, uncommitted
      CompletableFuture<List<Application>> secondUse =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  List<Application> used =
                      CreditApplier.apply(b, second, "kim", USD, new BigDecimal("4.00"), NOW);
                  b.commit();
                  return used;
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      TestDatabase.awaitSessionsWaitingForALock(1);
      assertFalse(secondUse.isDone(), "the second run waits for the first");
      a.commit();

      assertEquals("4.00", firstUse.get(0).amount().toPlainString());
      List<Application> used = secondUse.get();
      assertEquals(1, used.size());
      assertEquals("1.00", used.get(0).amount().toPlainString(), "only what was left");
    }
    assertEquals("0.00", remaining(credit));
    assertEquals("5.00", value("SELECT sum(amount)::text FROM billing_credit_applications"));
  }

  @Test
  void givingBackRestoresTheBalanceAndKeepsTheApplicationReversed() throws Exception {
    billing.userCreated("lee", Map.of());
    billing.flush();
    long credit = grantCredit("lee", "5.00", "USD", "goodwill", "2026-03-01T00:00:00Z", null);
    long invoice = draft("lee", "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z");
    try (Connection c = dataSource.getConnection()) {
      CreditApplier.apply(c, invoice, "lee", USD, new BigDecimal("3.25"), NOW);
      assertEquals("1.75", remaining(credit));

      assertEquals(1, CreditApplier.giveBack(c, invoice, NOW.plusSeconds(60)));
      assertEquals(0, CreditApplier.giveBack(c, invoice, NOW.plusSeconds(120)), "once only");
    }
    assertEquals("5.00", remaining(credit));
    assertEquals(
        1L,
        value(
            "SELECT count(*) FROM billing_credit_applications " + "WHERE reversed_at IS NOT NULL"));
  }

  private static long draft(String start, String end) {
    return draft("kim", start, end);
  }

  private static long draft(String user, String start, String end) {
    return ((Number)
            value(
                """
        INSERT INTO billing_invoices (user_id, period_start, period_end, currency, status,
                                      finalize_after, created_at)
        VALUES (?, ?::timestamptz, ?::timestamptz, 'USD', 'draft', now(), now()) RETURNING id""",
                user,
                start,
                end))
        .longValue();
  }
}
