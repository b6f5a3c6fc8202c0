package io.streamspace.billing.store;

import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.user;
import static io.streamspace.billing.support.BillingHarness.value;
import static io.streamspace.billing.support.InvoiceFixtures.GENERATE_INVOICES;
import static io.streamspace.billing.support.InvoiceFixtures.invoiceId;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.billing.support.StoreFixtures;
import io.streamspace.billing.support.ThemeBundles;
import io.streamspace.plugin.api.http.HttpMethod;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An admin's refund of a store purchase and the void of the invoice that billed it, started
 * together from two threads (a barrier, no sleeps), 20 rounds, one organization a round: the money
 * goes back once whichever commits first. A refund grants the purchase's price back as a credit
 * only while an invoice bills the purchase; a void releases the purchase's charge and forfeits
 * the credit a refund granted for it (RefundCredits). Twenty organizations, o00 to o19, pay in
 * USD and each bought Midnight (4.99 USD, for good) on March 10, on the invoice: each has a March
 * invoice of 4.99 and nothing else (usage mode, no usage).
 */
class RefundRacingVoidTest {

  private static final int ROUNDS = 20;
  private static final BigDecimal PRICE = new BigDecimal("4.99");
  private static final String MARCH = "2026-03-01T00:00:00Z";

  private final BillingHarness billing =
      new BillingHarness(at(MARCH), BillingHarness.USD_AND_VND_CONFIG);
  private final ExecutorService threads = Executors.newFixedThreadPool(2);
  private final List<Long> purchases = new ArrayList<>();
  private final List<Long> invoices = new ArrayList<>();

  @BeforeEach
  void twentyOrganizationsBilledForMidnight() {
    for (int i = 0; i < ROUNDS; i++) {
      billing.userCreated(org(i), Map.of());
    }
    billing.flush();
    long midnight = StoreFixtures.listed(billing, ThemeBundles.good("Midnight", "1.0.0"));
    billing.clock.set(at("2026-03-10T12:00:00Z"));
    for (int i = 0; i < ROUNDS; i++) {
      Answer bought =
          billing.call(HttpMethod.POST, "/store/items/" + midnight + "/purchase", user(org(i)), "");
      assertEquals(201, bought.status(), bought.toString());
      purchases.add(bought.body().at("/purchase/id").asLong());
    }
    billing.runAt(GENERATE_INVOICES, "2026-04-01T01:00:00Z");
    for (int i = 0; i < ROUNDS; i++) {
      invoices.add(invoiceId(org(i), MARCH));
      assertEquals(
          PRICE, value("SELECT total FROM billing_invoices WHERE id = ?", invoices.get(i)));
    }
    billing.clock.set(at("2026-04-02T00:00:00Z"));
  }

  @AfterEach
  void stop() {
    threads.shutdownNow();
    billing.close();
  }

  private static String org(int i) {
    return "o%02d".formatted(i);
  }

  private Answer refund(int round) {
    return billing.call(
        HttpMethod.POST,
        "/admin/store/purchases/" + purchases.get(round) + "/refund",
        admin("root"),
        "{\"reason\": \"theme broken\"}");
  }

  private Answer voidInvoice(int round) {
    return billing.call(
        HttpMethod.PATCH,
        "/admin/invoices/" + invoices.get(round),
        admin("root"),
        "{\"status\": \"void\", \"reason\": \"billed in error\"}");
  }

  /** The refund and the void of the round's organization, started at once: their answers. */
  private List<Answer> raced(int round) throws Exception {
    CyclicBarrier start = new CyclicBarrier(2);
    List<Callable<Answer>> both =
        List.of(
            () -> {
              start.await(30, TimeUnit.SECONDS);
              return refund(round);
            },
            () -> {
              start.await(30, TimeUnit.SECONDS);
              return voidInvoice(round);
            });
    List<Answer> answers = new ArrayList<>();
    for (Future<Answer> answer : threads.invokeAll(both, 60, TimeUnit.SECONDS)) {
      answers.add(answer.get());
    }
    return answers;
  }

  /** What the organization's credits have left to give: a refund's credit not forfeited. */
  private static BigDecimal creditsLeft(String org) {
    return (BigDecimal)
        value("SELECT coalesce(sum(remaining), 0) FROM billing_credits WHERE user_id = ?", org);
  }

  /**
   * An unpaid (sent) invoice: both succeed in either order, and the 4.99 goes back once, by the
   * void. Void first: the purchase is billed by no invoice when the refund locks it, so it grants
   * no credit. Refund first: its credit of 4.99 is forfeited whole by the void that waited on the
   * purchase's row (4.99 expired, a credit.revoked entry). Never the void's 4.99 and a credit's.
   */
  @Test
  void aRefundRacingTheVoidOfItsSentInvoiceGivesThePriceBackOnce_bothSucceedingInEitherOrder()
      throws Exception {
    for (int round = 0; round < ROUNDS; round++) {
      String org = org(round);

      List<Answer> answers = raced(round);

      assertEquals(200, answers.get(0).status(), "round " + round + ": " + answers.get(0));
      assertEquals(200, answers.get(1).status(), "round " + round + ": " + answers.get(1));
      assertEquals(
          "void", value("SELECT status FROM billing_invoices WHERE id = ?", invoices.get(round)));
      assertEquals(
          "refunded",
          value("SELECT status FROM billing_store_purchases WHERE id = ?", purchases.get(round)));
      assertEquals(
          0, BigDecimal.ZERO.compareTo(creditsLeft(org)), "round " + round + ": no credit");
      long credits = (Long) value("SELECT count(*) FROM billing_credits WHERE user_id = ?", org);
      long revoked =
          (Long)
              value(
                  "SELECT count(*) FROM billing_audit_entries"
                      + " WHERE kind = 'credit.revoked' AND org_id = ?",
                  org);
      assertEquals(credits, revoked, "round " + round + ": a refund's credit is forfeited");
      if (credits == 1) {
        assertEquals(
            PRICE, value("SELECT expired_amount FROM billing_credits WHERE user_id = ?", org));
      }
    }
  }

  /**
   * A paid invoice cannot be voided (money received is refunded, not voided away): in every
   * round the void is refused with 409 {@code invalid_transition}, nothing changed by it, and
   * the refund gives the 4.99 paid back once, as a credit.
   */
  @Test
  void aVoidRacingTheRefundOfAPaidInvoiceIsRefused_theRefundGivesThePaidPriceBackOnceAsACredit()
      throws Exception {
    for (int round = 0; round < ROUNDS; round++) {
      Answer paid =
          billing.call(
              HttpMethod.PATCH,
              "/admin/invoices/" + invoices.get(round),
              admin("root"),
              "{\"status\": \"paid\", \"note\": \"paid by wire\"}");
      assertEquals(200, paid.status(), paid.toString());
    }
    for (int round = 0; round < ROUNDS; round++) {
      String org = org(round);

      List<Answer> answers = raced(round);

      assertEquals(200, answers.get(0).status(), "round " + round + ": " + answers.get(0));
      assertEquals(409, answers.get(1).status(), "round " + round + ": " + answers.get(1));
      assertEquals("invalid_transition", answers.get(1).body().at("/error/code").asText());
      assertEquals(
          "paid", value("SELECT status FROM billing_invoices WHERE id = ?", invoices.get(round)));
      assertEquals(PRICE, creditsLeft(org), "round " + round + ": 4.99 back, once");
      assertEquals(1L, value("SELECT count(*) FROM billing_credits WHERE user_id = ?", org));
    }
  }
}
