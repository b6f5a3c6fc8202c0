package io.streamspace.billing.store.share;

import static io.streamspace.billing.catalog.share.ShareTables.USD;
import static io.streamspace.billing.catalog.share.ShareTables.VND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.billing.catalog.share.ResetPeriod;
import io.streamspace.billing.catalog.share.ShareTable;
import io.streamspace.billing.catalog.share.Tier;
import io.streamspace.billing.money.Money;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The rules hold for many random sales (seeded, so a failure repeats): random tables in USD and
 * VND, periods of random sales with partial and whole refunds among them.
 */
class RevenueShareRandomTest {

  private static final int SALES = 10_000;

  /** A sale of the period and how much of it was refunded so far. */
  private static final class Sold {
    final SaleSplit split;
    BigDecimal refunded;
    BigDecimal platformBack;
    BigDecimal creatorBack;

    Sold(SaleSplit split, Currency currency) {
      this.split = split;
      this.refunded = Money.zero(currency);
      this.platformBack = Money.zero(currency);
      this.creatorBack = Money.zero(currency);
    }
  }

  @Test
  void platformAndCreatorAddUpToTheGrossAndThePlatformNeverPassesTheCap() {
    Random random = new Random(20261124);
    int sales = 0;
    int capped = 0;
    int crossings = 0;
    int refundedWhole = 0;
    while (sales < SALES) {
      ShareTable table = randomTable(random);
      Currency currency = table.currency();
      BigDecimal half =
          BigDecimal.ONE.movePointLeft(Money.minorDigits(currency)).divide(BigDecimal.valueOf(2));
      CreatorPeriodTotals totals = CreatorPeriodTotals.ZERO;
      List<Sold> sold = new ArrayList<>();
      int events = 1 + random.nextInt(60);
      for (int e = 0; e < events; e++) {
        if (!sold.isEmpty() && random.nextInt(4) == 0) {
          // a refund of some of what is left of an earlier sale of the period
          Sold s = sold.get(random.nextInt(sold.size()));
          BigDecimal left = s.split.gross().subtract(s.refunded);
          if (left.signum() == 0) {
            continue;
          }
          BigDecimal refund = random.nextInt(4) == 0 ? left : randomAmount(random, currency, left);
          SaleSplit back = RevenueShare.clawBack(s.split, s.refunded, refund);
          assertEquals(0, back.platformShare().add(back.creatorShare()).compareTo(back.gross()));
          assertTrue(back.platformShare().signum() <= 0 && back.creatorShare().signum() <= 0);
          s.refunded = s.refunded.add(refund);
          s.platformBack = s.platformBack.add(back.platformShare());
          s.creatorBack = s.creatorBack.add(back.creatorShare());
          if (s.refunded.compareTo(s.split.gross()) == 0) {
            // refunded in full, in one or several parts: exactly the sale's split comes back
            assertEquals(s.split.platformShare().negate(), s.platformBack);
            assertEquals(s.split.creatorShare().negate(), s.creatorBack);
            refundedWhole++;
          }
          totals = totals.plus(back);
        } else {
          BigDecimal gross = randomAmount(random, currency, maxSale(currency));
          SaleSplit split = RevenueShare.split(table, totals, gross);
          sales++;
          assertEquals(gross.setScale(Money.minorDigits(currency)), split.gross());
          assertEquals(split.gross(), split.platformShare().add(split.creatorShare()));
          assertEquals(Money.minorDigits(currency), split.platformShare().scale());
          assertTrue(split.platformShare().signum() >= 0, () -> "platform share of " + split);
          assertTrue(split.creatorShare().signum() >= 0, () -> "creator share of " + split);
          BigDecimal exact =
              split.parts().stream()
                  .map(TierPart::platformExact)
                  .reduce(BigDecimal.ZERO, BigDecimal::add);
          BigDecimal gap = split.platformShare().subtract(exact).abs();
          if (split.capReached()) {
            capped++;
            assertTrue(split.platformShare().compareTo(exact.add(half)) <= 0, split::toString);
          } else {
            assertTrue(gap.compareTo(half) <= 0, () -> "rounded by more than half: " + split);
          }
          if (split.parts().size() > 1) {
            crossings++;
          }
          totals = totals.plus(split);
          sold.add(new Sold(split, currency));
        }
        Optional<BigDecimal> cap = table.capPerPeriod();
        CreatorPeriodTotals now = totals;
        cap.ifPresent(
            c ->
                assertTrue(
                    now.platformTakeSoFar().compareTo(c) <= 0,
                    () -> "the take " + now + " passed the cap " + c));
      }
    }
    // the rules were exercised, not just the easy cases
    assertTrue(capped > 100, "sales that met the cap: " + capped);
    assertTrue(crossings > 100, "sales across a threshold: " + crossings);
    assertTrue(refundedWhole > 100, "sales refunded in full: " + refundedWhole);
  }

  /** 1 to 4 tiers of rates with up to 4 decimals, in USD or VND, with a cap half the time. */
  private static ShareTable randomTable(Random random) {
    Currency currency = random.nextBoolean() ? USD : VND;
    int digits = Money.minorDigits(currency);
    BigDecimal scale = maxSale(currency);
    List<Tier> tiers = new ArrayList<>();
    BigDecimal from = BigDecimal.ZERO;
    int count = 1 + random.nextInt(4);
    for (int i = 0; i < count; i++) {
      BigDecimal rate = BigDecimal.valueOf(random.nextInt(10_001), 4);
      tiers.add(new Tier(from, rate));
      from = from.add(randomAmount(random, currency, scale.multiply(BigDecimal.TEN)));
    }
    Optional<BigDecimal> cap =
        random.nextBoolean()
            ? Optional.of(
                randomAmount(random, currency, scale.multiply(BigDecimal.valueOf(5)))
                    .setScale(digits, RoundingMode.UNNECESSARY))
            : Optional.empty();
    return new ShareTable(currency, tiers, ResetPeriod.CALENDAR_MONTH, cap);
  }

  private static BigDecimal maxSale(Currency currency) {
    return currency.equals(USD) ? new BigDecimal("2000.00") : new BigDecimal("50000000");
  }

  /** A random amount of the currency from one minor unit to {@code max}. */
  private static BigDecimal randomAmount(Random random, Currency currency, BigDecimal max) {
    int digits = Money.minorDigits(currency);
    long units = max.movePointRight(digits).longValueExact();
    return BigDecimal.valueOf(1 + random.nextLong(units), digits).min(max);
  }
}
