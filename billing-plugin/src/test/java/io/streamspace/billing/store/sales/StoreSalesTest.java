package io.streamspace.billing.store.sales;

import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.rows;
import static io.streamspace.billing.support.BillingHarness.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.config.BillingConfigParser;
import io.streamspace.billing.config.CronValidator;
import io.streamspace.billing.store.share.CreatorStatement;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.OrgFixtures;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.common.db.Transactions;
import java.math.BigDecimal;
import java.sql.Connection;
import java.time.Instant;
import java.time.YearMonth;
import java.util.Currency;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The creators' ledger as the purchase flow writes it: sales split by the configured share table
 * against the creator's counters of the period, refunds clawed back once, statements and payouts
 * folded month by month from it. Purchases are inserted by SQL, as the purchase flow would have
 * stored them.
 */
class StoreSalesTest {

  /**
   * The worked example of docs/store-revenue-share.md: USD, 20 % of a creator's first 1,000.00
   * in a calendar month, 10 % to 5,000.00, 5 % above, the platform's take capped at 300.00 a
   * month, payouts from 50.00.
   */
  static final String WORKED_EXAMPLE =
      """
      {"storeRevenueShare": {"USD": {"tiers": [{"from": 0, "platform_rate": 0.20},
         {"from": 1000, "platform_rate": 0.10}, {"from": 5000, "platform_rate": 0.05}],
         "reset": "calendar_month", "cap": 300, "minimum_payout": 50}}}""";

  static final Currency USD = Currency.getInstance("USD");

  private final BillingHarness billing = new BillingHarness(at("2026-12-31T00:00:00Z"));
  private final BillingConfig config =
      new BillingConfigParser(CronValidator.fiveFields()).parse(WORKED_EXAMPLE).config();
  private final StoreSales sales = new StoreSales(() -> config, billing.clock);
  private final CreatorStatements statements = new CreatorStatements(() -> config, billing.clock);

  /** Acme, the buying organization. */
  @BeforeEach
  void acme() {
    OrgFixtures.opened(billing, "acme", "Acme", "olivia", "USD", "free", "2026-01-01T00:00:00Z");
  }

  @AfterEach
  void unload() {
    billing.close();
  }

  /** An active purchase of an item of {@code creator}'s by acme, effective at {@code at}. */
  static long purchase(String creator, String price, String currency, String at) {
    TestDatabase.execute(
        """
        INSERT INTO billing_store_items (creator_id, name, created_at)
        VALUES ('%1$s', 'Theme of %1$s', '2026-01-01T00:00:00Z') ON CONFLICT DO NOTHING;
        INSERT INTO billing_store_item_versions (item_id, version, status, price_usd, sale_kind,
          manifest, bundle, bundle_sha256, submitted_at, reviewed_at, reviewed_by)
        SELECT id, '1.0.0', 'approved', 4.99, 'one_time', '{}', '\\x00', repeat('a', 64),
          '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 'root'
        FROM billing_store_items WHERE creator_id = '%1$s'
        ON CONFLICT DO NOTHING"""
            .formatted(creator));
    boolean free = new BigDecimal(price).signum() == 0;
    return (Long)
        value(
            """
            INSERT INTO billing_store_purchases (account_id, bought_by, item_id, version_id,
              item_name, creator_id, sale_kind, price, currency, pay, purchased_at, status,
              access_from)
            SELECT 'acme', 'olivia', i.id, v.id, i.name, i.creator_id, ?, ?::numeric, ?, ?,
              ?::timestamptz, 'active', ?::timestamptz
            FROM billing_store_items i JOIN billing_store_item_versions v ON v.item_id = i.id
            WHERE i.creator_id = ?
            RETURNING id""",
            free ? "free" : "one_time",
            price,
            currency,
            free ? "free" : "invoice",
            at,
            at,
            creator);
  }

  private void sold(long purchaseId) {
    inTransaction(c -> sales.sold(c, purchaseId));
  }

  private void refunded(long purchaseId, String at) {
    inTransaction(c -> sales.refunded(c, purchaseId, Instant.parse(at)));
  }

  private interface Step {
    void run(Connection c) throws Exception;
  }

  private static void inTransaction(Step step) {
    try {
      Transactions.inTransaction(
          TestDatabase.dataSource(),
          c -> {
            try {
              step.run(c);
            } catch (RuntimeException | java.sql.SQLException e) {
              throw e;
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
            return null;
          });
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private CreatorStatement statement(String creator, String month) {
    try {
      return Transactions.inTransaction(
          TestDatabase.dataSource(), c -> statements.of(c, creator, YearMonth.parse(month), USD));
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private List<PayoutDue> payoutsDue(String month) {
    try {
      return Transactions.inTransaction(
          TestDatabase.dataSource(), c -> statements.payoutsDue(c, YearMonth.parse(month)));
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The creator's ledger lines: "kind gross platform creator tier". */
  private static List<String> ledger(String creator) {
    return rows(
            """
            SELECT kind, gross, platform_share, creator_share, coalesce(tier, '-')
            FROM billing_store_sales WHERE creator_id = ? ORDER BY id""",
            creator)
        .stream()
        .map(row -> row.stream().map(String::valueOf).collect(Collectors.joining(" ")))
        .toList();
  }

  @Test
  void theWorkedExampleSplitsAcrossTheTierBoundaryAndStopsAtTheCap_andARefundFreesTheCap() {
    long s1 = purchase("cara", "800.00", "USD", "2026-11-02T10:00:00Z");
    long s2 = purchase("cara", "499.99", "USD", "2026-11-03T10:00:00Z");
    long s3 = purchase("cara", "4000.00", "USD", "2026-11-04T10:00:00Z");
    long s4 = purchase("cara", "100.00", "USD", "2026-11-05T10:00:00Z");
    long s5 = purchase("cara", "200.00", "USD", "2026-11-07T10:00:00Z");

    sold(s1);
    sold(s2);
    sold(s3);
    sold(s4);
    refunded(s2, "2026-11-06T10:00:00Z");
    sold(s5);

    assertEquals(
        List.of(
            // 0.00 -> 800.00, all at 20 %: 160.00
            "sale 800.00 160.00 640.00 20% from 0.00",
            // 800.00 -> 1,299.99: 200.00 x 0.20 + 299.99 x 0.10 = 69.999 -> 70.00
            "sale 499.99 70.00 429.99 10% from 1000.00",
            // 3,700.01 x 0.10 + 299.99 x 0.05 = 385.0005 -> 385.00, but 300 - 230 = 70.00 is left
            "sale 4000.00 70.00 3930.00 5% from 5000.00",
            // the cap is full: 0.00
            "sale 100.00 0.00 100.00 5% from 5000.00",
            // S2's exact negative; the counters go back to 4,900.00 sold, 230.00 taken
            "refund -499.99 -70.00 -429.99 -",
            // 4,900.00 -> 5,100.00: 100.00 x 0.10 + 100.00 x 0.05 = 15.00, under the cap again
            "sale 200.00 15.00 185.00 5% from 5000.00"),
        ledger("cara"));
    CreatorStatement november = statement("cara", "2026-11");
    assertEquals(new BigDecimal("5599.99"), november.salesGross());
    assertEquals(new BigDecimal("-499.99"), november.refundsGross());
    assertEquals(new BigDecimal("245.00"), november.platformShare());
    assertEquals(new BigDecimal("4855.00"), november.creatorShare());
    assertEquals(new BigDecimal("4855.00"), november.payout());
    assertEquals(new BigDecimal("0.00"), november.carriedForward());
    assertEquals("5% from 5000.00", november.tierReached());
  }

  @Test
  void aRefundAfterThePayoutMakesTheBalanceNegative_andLaterMonthsRecoverItBeforePayingAgain() {
    long s1 = purchase("cara", "800.00", "USD", "2026-11-02T10:00:00Z");
    sold(s1);
    refunded(s1, "2026-12-02T10:00:00Z");
    // a new month: the counter starts again at 20 %
    sold(purchase("cara", "500.00", "USD", "2027-01-10T10:00:00Z")); // 100.00 + 400.00
    sold(purchase("cara", "1000.00", "USD", "2027-02-10T10:00:00Z")); // 200.00 + 800.00
    billing.clock.set(at("2027-03-01T00:00:00Z"));

    assertEquals(new BigDecimal("640.00"), statement("cara", "2026-11").payout());
    CreatorStatement december = statement("cara", "2026-12");
    assertEquals(new BigDecimal("-640.00"), december.closingBalance());
    assertEquals(new BigDecimal("-640.00"), december.carriedForward());
    CreatorStatement january = statement("cara", "2027-01");
    assertEquals(new BigDecimal("-640.00"), january.openingBalance());
    assertEquals(new BigDecimal("-240.00"), january.closingBalance());
    assertEquals(new BigDecimal("0.00"), january.payout());
    CreatorStatement february = statement("cara", "2027-02");
    assertEquals(new BigDecimal("-240.00"), february.openingBalance());
    assertEquals(new BigDecimal("560.00"), february.payout());
    assertEquals(
        List.of(new PayoutDue("cara", YearMonth.parse("2026-11"), USD, new BigDecimal("640.00"))),
        payoutsDue("2026-11"));
    assertEquals(List.of(), payoutsDue("2026-12"));
    assertEquals(List.of(), payoutsDue("2027-01"));
    assertEquals(
        List.of(new PayoutDue("cara", YearMonth.parse("2027-02"), USD, new BigDecimal("560.00"))),
        payoutsDue("2027-02"));
  }

  @Test
  void theSameTwoSalesRecordedInEitherOrderGiveTheSameStatementTotals() {
    // cara's sales are recorded in time order, dave's the other way round
    long caraFirst = purchase("cara", "800.00", "USD", "2026-11-02T10:00:00Z");
    long caraSecond = purchase("cara", "400.00", "USD", "2026-11-03T10:00:00Z");
    long daveFirst = purchase("dave", "800.00", "USD", "2026-11-02T10:00:00Z");
    long daveSecond = purchase("dave", "400.00", "USD", "2026-11-03T10:00:00Z");

    sold(caraFirst); // 800.00 x 0.20 = 160.00
    sold(caraSecond); // 800.00 -> 1,200.00: 200.00 x 0.20 + 200.00 x 0.10 = 60.00
    sold(daveSecond); // 400.00 x 0.20 = 80.00
    sold(daveFirst); // 400.00 -> 1,200.00: 600.00 x 0.20 + 200.00 x 0.10 = 140.00

    CreatorStatement cara = statement("cara", "2026-11");
    CreatorStatement dave = statement("dave", "2026-11");
    assertEquals(new BigDecimal("220.00"), cara.platformShare());
    assertEquals(
        List.of(cara.salesGross(), cara.platformShare(), cara.creatorShare(), cara.payout()),
        List.of(dave.salesGross(), dave.platformShare(), dave.creatorShare(), dave.payout()));
  }

  @Test
  void aPurchaseSoldOrRefundedTwiceIsWrittenOnce_andAFreeOneNotAtAll() {
    long bought = purchase("cara", "49.99", "USD", "2026-11-02T10:00:00Z");
    long free = purchase("cara", "0", "USD", "2026-11-02T11:00:00Z");
    long neverSold = purchase("cara", "10.00", "USD", "2026-11-02T12:00:00Z");

    sold(bought);
    sold(bought);
    sold(free);
    refunded(bought, "2026-11-03T10:00:00Z");
    refunded(bought, "2026-11-04T10:00:00Z");
    refunded(neverSold, "2026-11-04T10:00:00Z");

    assertEquals(
        List.of("sale 49.99 10.00 39.99 20% from 0.00", "refund -49.99 -10.00 -39.99 -"),
        ledger("cara"));
  }

  @Test
  void theLedgerRefusesASecondSaleLineOfAPurchase() {
    long bought = purchase("cara", "49.99", "USD", "2026-11-02T10:00:00Z");

    sold(bought);
    assertThrows(
        IllegalStateException.class,
        () ->
            TestDatabase.execute(
                """
                INSERT INTO billing_store_sales (purchase_id, creator_id, kind, at, currency,
                  gross, platform_share, creator_share, tier, recorded_at)
                VALUES (%d, 'cara', 'sale', now(), 'USD', 1, 0, 1, 't', now())"""
                    .formatted(bought)));
  }

  @Test
  void twoSalesOfOneCreatorAreSplitOneAfterTheOther_neverAgainstTheSameCounters() throws Exception {
    long first = purchase("cara", "800.00", "USD", "2026-11-02T10:00:00Z");
    long second = purchase("cara", "400.00", "USD", "2026-11-03T10:00:00Z");
    ExecutorService other = Executors.newSingleThreadExecutor();
    try (Connection c = TestDatabase.dataSource().getConnection()) {
      c.setAutoCommit(false);
      sales.sold(c, first); // holds cara's lock until it commits
      Future<?> waiting = other.submit(() -> sold(second));
      TestDatabase.awaitSessionsWaitingForALock(1);
      c.commit();
      waiting.get(30, TimeUnit.SECONDS);
    } finally {
      other.shutdownNow();
    }

    // the second saw the first: 800.00 -> 1,200.00, 200.00 x 0.20 + 200.00 x 0.10 = 60.00
    assertEquals(
        List.of(
            "sale 800.00 160.00 640.00 20% from 0.00", "sale 400.00 60.00 340.00 10% from 1000.00"),
        ledger("cara"));
  }

  @Test
  void aSaleCountsInItsPeriodInTheBillingZone_andVndKeepsItsDefaultTable() {
    BillingConfig hanoi =
        new BillingConfigParser(CronValidator.fiveFields())
            .parse("{\"billingTimeZone\": \"Asia/Ho_Chi_Minh\"}")
            .config();
    StoreSales inHanoi = new StoreSales(() -> hanoi, billing.clock);
    CreatorStatements statementsInHanoi = new CreatorStatements(() -> hanoi, billing.clock);
    // 30 November 17:30 UTC is 1 December 00:30 in Hanoi
    long sale = purchase("cara", "120000", "VND", "2026-11-30T17:30:00Z");

    inTransaction(c -> inHanoi.sold(c, sale));

    // vndMonthly: 120,000 at 30 % = 36,000 to the platform
    assertEquals(List.of("sale 120000.00 36000.00 84000.00 30% from 0"), ledger("cara"));
    Currency vnd = Currency.getInstance("VND");
    try {
      CreatorStatement december =
          Transactions.inTransaction(
              TestDatabase.dataSource(),
              c -> statementsInHanoi.of(c, "cara", YearMonth.parse("2026-12"), vnd));
      CreatorStatement november =
          Transactions.inTransaction(
              TestDatabase.dataSource(),
              c -> statementsInHanoi.of(c, "cara", YearMonth.parse("2026-11"), vnd));
      assertEquals(new BigDecimal("84000"), december.creatorShare());
      // below the 1,000,000 VND minimum: carried forward, not paid
      assertEquals(new BigDecimal("0"), december.payout());
      assertEquals(new BigDecimal("84000"), december.carriedForward());
      assertEquals(List.of(), november.lines());
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void payoutsAreDueOnlyOnceTheMonthHasEnded() {
    sold(purchase("cara", "800.00", "USD", "2026-12-02T10:00:00Z"));

    assertThrows(IllegalArgumentException.class, () -> payoutsDue("2026-12"));
    billing.clock.set(at("2027-01-01T00:00:00Z"));
    assertEquals(
        List.of(new PayoutDue("cara", YearMonth.parse("2026-12"), USD, new BigDecimal("640.00"))),
        payoutsDue("2026-12"));
  }
}
