package io.streamspace.billing.store.share;

import static io.streamspace.billing.catalog.share.ShareTables.USD;
import static io.streamspace.billing.catalog.share.ShareTables.money;
import static io.streamspace.billing.catalog.share.ShareTables.worked;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.streamspace.billing.catalog.share.ShareTable;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A creator's monthly statement: totals, balance, payout and what is carried forward. */
class CreatorStatementTest {

  private static final BigDecimal MINIMUM = money("50.00");

  private static Instant at(String day) {
    return Instant.parse(day + "T12:00:00Z");
  }

  /** The statement's figures in one line, easy to compare with hand figures. */
  private static String figures(CreatorStatement s) {
    return "opening %s sales %s refunds %s platform %s creator %s closing %s payout %s carried %s tier %s"
        .formatted(
            s.openingBalance().toPlainString(),
            s.salesGross().toPlainString(),
            s.refundsGross().toPlainString(),
            s.platformShare().toPlainString(),
            s.creatorShare().toPlainString(),
            s.closingBalance().toPlainString(),
            s.payout().toPlainString(),
            s.carriedForward().toPlainString(),
            s.tierReached());
  }

  /**
   * The statement of a month whose only line is a sale of {@code gross}, the first of its period
   * in the worked example's table, from {@code opening}.
   */
  private static CreatorStatement oneSale(
      BigDecimal opening, String reference, String day, String gross) {
    SaleSplit sale = RevenueShare.split(worked(), CreatorPeriodTotals.ZERO, money(gross));
    return CreatorStatement.of(
        USD, opening, List.of(StatementLine.sale(reference, at(day), sale)), MINIMUM);
  }

  /** November of the worked example (RevenueShareTest): its sales and the refund of S2. */
  private static List<StatementLine> november() {
    ShareTable table = worked();
    CreatorPeriodTotals t = CreatorPeriodTotals.ZERO;
    List<StatementLine> lines = new ArrayList<>();
    SaleSplit s1 = RevenueShare.split(table, t, money("800.00")); // 160.00 + 640.00
    t = t.plus(s1);
    SaleSplit s2 = RevenueShare.split(table, t, money("499.99")); // 70.00 + 429.99
    t = t.plus(s2);
    SaleSplit s3 = RevenueShare.split(table, t, money("4000.00")); // 70.00 + 3,930.00, cap
    t = t.plus(s3);
    SaleSplit s4 = RevenueShare.split(table, t, money("100.00")); // 0.00 + 100.00
    t = t.plus(s4);
    SaleSplit r2 = RevenueShare.clawBack(s2); // −70.00 + −429.99
    t = t.plus(r2);
    SaleSplit s5 = RevenueShare.split(table, t, money("200.00")); // 15.00 + 185.00
    lines.add(StatementLine.sale("S1", at("2026-11-03"), s1));
    lines.add(StatementLine.sale("S2", at("2026-11-10"), s2));
    lines.add(StatementLine.sale("S3", at("2026-11-20"), s3));
    lines.add(StatementLine.sale("S4", at("2026-11-25"), s4));
    lines.add(StatementLine.clawBack(StatementLine.REFUND, "S2", at("2026-11-28"), r2));
    lines.add(StatementLine.sale("S5", at("2026-11-29"), s5));
    return lines;
  }

  @Test
  void theWorkedExamplesNovemberIsPaidOutWhole() {
    // sales 800.00 + 499.99 + 4,000.00 + 100.00 + 200.00 = 5,599.99; refunds −499.99
    // platform 160.00 + 70.00 + 70.00 + 0.00 − 70.00 + 15.00 = 245.00
    // creator 640.00 + 429.99 + 3,930.00 + 100.00 − 429.99 + 185.00 = 4,855.00
    // (5,599.99 − 499.99 = 5,100.00 = 245.00 + 4,855.00); closing 0.00 + 4,855.00, at least the
    // 50.00 minimum: paid out, nothing carried; the highest tier any sale reached: S3's 5 %
    CreatorStatement november = CreatorStatement.of(USD, money("0.00"), november(), MINIMUM);

    assertEquals(
        "opening 0.00 sales 5599.99 refunds -499.99 platform 245.00 creator 4855.00"
            + " closing 4855.00 payout 4855.00 carried 0.00 tier 5% from 5000.00",
        figures(november));
  }

  @Test
  void aClosingBalanceBelowTheMinimumIsCarriedForward() {
    // a sale of 40.00 at 20 %: 8.00 + 32.00; 32.00 < 50.00, so no payout and 32.00 carried
    CreatorStatement statement = oneSale(money("0.00"), "S", "2026-11-03", "40.00");

    assertEquals(
        "opening 0.00 sales 40.00 refunds 0.00 platform 8.00 creator 32.00"
            + " closing 32.00 payout 0.00 carried 32.00 tier 20% from 0.00",
        figures(statement));
    // the next month opens with it: 32.00 + 32.00 = 64.00, now paid out
    CreatorStatement next = oneSale(statement.carriedForward(), "T", "2026-12-03", "40.00");
    assertEquals(money("64.00"), next.payout());
  }

  @Test
  void aChargebackAfterThePayoutMakesTheBalanceNegativeAndLaterSalesFillItFirst() {
    // November pays out 4,855.00 (above). On 2 December S1 (800.00: 160.00 + 640.00) is charged
    // back: December opens at 0.00 and closes at −640.00, nothing paid, −640.00 carried
    SaleSplit s1 = RevenueShare.split(worked(), CreatorPeriodTotals.ZERO, money("800.00"));
    CreatorStatement december =
        CreatorStatement.of(
            USD,
            money("0.00"),
            List.of(
                StatementLine.clawBack(
                    StatementLine.CHARGEBACK, "S1", at("2026-12-02"), RevenueShare.clawBack(s1))),
            MINIMUM);
    assertEquals(
        "opening 0.00 sales 0.00 refunds -800.00 platform -160.00 creator -640.00"
            + " closing -640.00 payout 0.00 carried -640.00 tier ",
        figures(december));

    // January, a new period: 500.00 at 20 % (100.00 + 400.00) fills −640.00 to −240.00: no payout
    CreatorStatement january = oneSale(december.carriedForward(), "J1", "2027-01-05", "500.00");
    assertEquals(
        "opening -640.00 sales 500.00 refunds 0.00 platform 100.00 creator 400.00"
            + " closing -240.00 payout 0.00 carried -240.00 tier 20% from 0.00",
        figures(january));

    // February: 1,000.00 at 20 % (200.00 + 800.00): −240.00 + 800.00 = 560.00, paid out
    CreatorStatement february = oneSale(january.carriedForward(), "F1", "2027-02-05", "1000.00");
    assertEquals(money("560.00"), february.closingBalance());
    assertEquals(money("560.00"), february.payout());
    assertEquals(money("0.00"), february.carriedForward());
  }

  @Test
  void paymentsAndAdjustmentsMoveTheBalanceButNotTheSales() {
    // opening 100.00; a manual payout of 30.00 (−30.00); a goodwill adjustment of 5.00 out of
    // the platform's share (platform −5.00, creator +5.00): closing 100.00 − 30.00 + 5.00 = 75.00
    CreatorStatement statement =
        CreatorStatement.of(
            USD,
            money("100.00"),
            List.of(
                StatementLine.payout("P1", at("2026-11-05"), money("30.00")),
                new StatementLine(
                    StatementLine.ADJUSTMENT,
                    "goodwill",
                    at("2026-11-06"),
                    money("0.00"),
                    money("-5.00"),
                    money("5.00"))),
            MINIMUM);

    assertEquals(
        "opening 100.00 sales 0.00 refunds 0.00 platform -5.00 creator 5.00"
            + " closing 75.00 payout 75.00 carried 0.00 tier ",
        figures(statement));
  }

  @Test
  void theStatementIsTheSameWhateverOrderItsLinesAreGivenIn() {
    List<StatementLine> lines = november();
    CreatorStatement inOrder = CreatorStatement.of(USD, money("0.00"), lines, MINIMUM);
    List<StatementLine> shuffled = new ArrayList<>(lines);
    Collections.shuffle(shuffled, new Random(31));

    assertEquals(inOrder, CreatorStatement.of(USD, money("0.00"), shuffled, MINIMUM));
    assertEquals(
        List.of("S1", "S2", "S3", "S4", "S2", "S5"),
        inOrder.lines().stream().map(StatementLine::reference).toList());
  }

  @Test
  void linesThatDoNotFitTheirKindOrTheCurrencyAreRefused() {
    assertEquals(
        "a sale line cannot have gross -1.00, platform 0.00, creator -1.00",
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    new StatementLine(
                        StatementLine.SALE,
                        "S",
                        at("2026-11-03"),
                        money("-1.00"),
                        money("0.00"),
                        money("-1.00")))
            .getMessage());
    assertEquals(
        "refund R: platform -1.00 + creator -1.00 is not the gross -1.00",
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    new StatementLine(
                        StatementLine.REFUND,
                        "R",
                        at("2026-11-03"),
                        money("-1.00"),
                        money("-1.00"),
                        money("-1.00")))
            .getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new StatementLine(
                "gift", "G", at("2026-11-03"), money("1.00"), money("0.00"), money("1.00")));
    assertEquals(
        "sale S's gross 1.001 has more decimals than USD's 2",
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    CreatorStatement.of(
                        USD,
                        money("0.00"),
                        List.of(
                            new StatementLine(
                                StatementLine.SALE,
                                "S",
                                at("2026-11-03"),
                                money("1.001"),
                                money("0.001"),
                                money("1.00"))),
                        MINIMUM))
            .getMessage());
    assertEquals(
        "minimumPayout must be at least 0, was -1.00",
        assertThrows(
                IllegalArgumentException.class,
                () -> CreatorStatement.of(USD, money("0.00"), List.of(), money("-1.00")))
            .getMessage());
  }
}
