package io.streamspace.billing.store.share;

import io.streamspace.billing.catalog.share.ShareTable;
import io.streamspace.billing.catalog.share.Tier;
import io.streamspace.billing.money.Money;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The platform's share of a creator's sale, and what a refund or chargeback takes back. Pure: it
 * reads nothing, and rounds with the plugin's one rule ({@link Money}).
 *
 * <p><b>Tiers.</b> A sale's gross lies on the creator's counter from {@code grossSoFar} to {@code
 * grossSoFar + gross} ({@link CreatorPeriodTotals}, net of claw-backs). It is cut at every tier
 * threshold inside that range: each part at its own tier's rate, so a sale that crosses a
 * threshold pays the lower tier's rate below it and the next tier's above (it may cross several).
 * The platform's exact share is {@code Σ part × rate}, kept unrounded.
 *
 * <p><b>Rounding, and who gets the last cent.</b> The exact share is rounded once, to the
 * currency's minor unit (USD cents, whole VND), half up ({@link Money#lineTotal}): the platform
 * gets a half cent, and below half the creator keeps it. The creator gets the rest, {@code gross
 * − platform share}, so the two always add up to the gross exactly.
 *
 * <p><b>The cap.</b> With {@code capPerPeriod}, the platform takes {@code min(rounded share, cap
 * − platformTakeSoFar)} (never below 0): the sale that reaches the cap gets only what is left of
 * it, every later sale of the period 0, and the creator the rest. So the platform's net take for a
 * creator in a period never exceeds the cap. The cap and the take are whole minor units, so the
 * capped share needs no rounding.
 *
 * <p><b>Order.</b> A sale's split depends on the sales (and claw-backs) of its period before it:
 * the tier counter and the cap are running totals. That cannot be avoided, so "before" is fixed:
 * {@link Sale#ORDER}, by sale time then sale id, and claw-backs count from their own time. A
 * re-computation of a period in that order gives the same splits ({@link #splitInOrder}), whatever
 * order the purchases arrived in. What does not depend on the order: the exact platform share of
 * a period's sales without claw-backs and below the cap ({@code Σ over tiers of rate × the gross
 * the period put in that tier}), so two orders differ only by each sale's rounding, less than
 * half a minor unit a sale; and every statement total, which is a sum of its lines.
 *
 * <p><b>Claw-backs.</b> A refund or chargeback of a whole sale takes back exactly its split: every
 * figure negated. A partial refund of {@code r} of a sale of gross {@code g} whose platform share
 * was {@code p} (after the cap) is proportional, and cumulative so that several partial refunds
 * add up to the whole: with {@code R} refunded before it, the platform gives back {@code
 * round(p × (R + r) / g) − round(p × R / g)}, the creator {@code r} minus that (the remainder
 * rule again: the creator's figure is what is left). A sale refunded in full by parts thus gives
 * back exactly {@code p} and its creator share. The platform's give-back is never more than
 * {@code r}, so neither part changes sign.
 */
public final class RevenueShare {

  private RevenueShare() {}

  /**
   * The split of a sale of {@code saleGross} by a creator whose period stood at {@code before}.
   *
   * @throws IllegalArgumentException when {@code saleGross} is not more than 0 or has more
   *     decimals than the table's currency, or {@code before} has more decimals than it
   */
  public static SaleSplit split(
      ShareTable table, CreatorPeriodTotals before, BigDecimal saleGross) {
    Currency currency = table.currency();
    BigDecimal gross = positiveAmount("a sale's gross", saleGross, currency);
    BigDecimal from = ShareTable.amount("grossSoFar", before.grossSoFar(), currency);
    BigDecimal takeSoFar =
        ShareTable.amount("platformTakeSoFar", before.platformTakeSoFar(), currency);
    BigDecimal to = from.add(gross);

    List<TierPart> parts = new ArrayList<>();
    BigDecimal exact = BigDecimal.ZERO;
    for (int i = 0; i < table.tiers().size(); i++) {
      Tier tier = table.tiers().get(i);
      BigDecimal partFrom = tier.fromGross().max(from);
      BigDecimal partTo = table.upTo(i).map(to::min).orElse(to);
      if (partTo.compareTo(partFrom) > 0) {
        BigDecimal amount = partTo.subtract(partFrom);
        BigDecimal platformExact = amount.multiply(tier.platformRate());
        parts.add(new TierPart(tier, amount, platformExact));
        exact = exact.add(platformExact);
      }
    }

    BigDecimal platform = Money.lineTotal(exact, BigDecimal.ONE, currency);
    boolean capReached = false;
    Optional<BigDecimal> cap = table.capPerPeriod();
    if (cap.isPresent()) {
      BigDecimal left = cap.get().subtract(takeSoFar).max(Money.zero(currency));
      platform = platform.min(left);
      capReached = takeSoFar.add(platform).compareTo(cap.get()) >= 0;
    }
    return new SaleSplit(
        currency,
        gross,
        platform,
        gross.subtract(platform),
        parts,
        capReached,
        parts.get(parts.size() - 1).tier().label());
  }

  /**
   * The splits of a period's sales, computed in {@link Sale#ORDER} from {@code opening} (the
   * period's totals before the first of them: {@link CreatorPeriodTotals#ZERO} at its start), by
   * sale id in that order. The same sales give the same splits, in whatever order they are given.
   *
   * @param sales one creator's sales in the table's currency and one period, no claw-back among
   *     them; ids unique
   */
  public static Map<String, SaleSplit> splitInOrder(
      ShareTable table, CreatorPeriodTotals opening, List<Sale> sales) {
    Map<String, SaleSplit> splits = new LinkedHashMap<>();
    CreatorPeriodTotals totals = opening;
    for (Sale sale : sales.stream().sorted(Sale.ORDER).toList()) {
      SaleSplit split = split(table, totals, sale.gross());
      if (splits.putIfAbsent(sale.id(), split) != null) {
        throw new IllegalArgumentException("two sales with the id " + sale.id());
      }
      totals = totals.plus(split);
    }
    return splits;
  }

  /** A refund or chargeback of the whole sale: the exact negative of its split. */
  public static SaleSplit clawBack(SaleSplit original) {
    requireSale(original);
    return new SaleSplit(
        original.currency(),
        original.gross().negate(),
        original.platformShare().negate(),
        original.creatorShare().negate(),
        original.parts().stream().map(TierPart::negated).toList(),
        original.capReached(),
        original.tierReached());
  }

  /**
   * A first partial refund of {@code refunded}: {@link #clawBack(SaleSplit, BigDecimal,
   * BigDecimal)} with nothing refunded before.
   */
  public static SaleSplit clawBack(SaleSplit original, BigDecimal refunded) {
    return clawBack(original, BigDecimal.ZERO, refunded);
  }

  /**
   * A partial refund of {@code refunded} of a sale of which {@code refundedBefore} was refunded
   * already: proportional and cumulative (class comment). Refunding the rest of the sale gives
   * back exactly what is left of its split; refunding it all at once is {@link
   * #clawBack(SaleSplit)}.
   *
   * @throws IllegalArgumentException when {@code refunded} is not more than 0, has more decimals
   *     than the currency, or would refund more than the sale's gross in all
   */
  public static SaleSplit clawBack(
      SaleSplit original, BigDecimal refundedBefore, BigDecimal refunded) {
    requireSale(original);
    Currency currency = original.currency();
    BigDecimal r = positiveAmount("a refund", refunded, currency);
    BigDecimal before = ShareTable.amount("refundedBefore", refundedBefore, currency);
    BigDecimal gross = original.gross();
    if (before.signum() < 0 || before.add(r).compareTo(gross) > 0) {
      throw new IllegalArgumentException(
          "a refund of %s after %s refunded would refund more than the sale's gross %s %s"
              .formatted(
                  r.toPlainString(),
                  before.toPlainString(),
                  gross.toPlainString(),
                  currency.getCurrencyCode()));
    }
    if (before.signum() == 0 && r.compareTo(gross) == 0) {
      return clawBack(original);
    }
    BigDecimal p = original.platformShare();
    BigDecimal platformBack =
        Money.lineTotal(p.multiply(before.add(r)), gross, currency)
            .subtract(Money.lineTotal(p.multiply(before), gross, currency));
    return new SaleSplit(
        currency,
        r.negate(),
        platformBack.negate(),
        r.subtract(platformBack).negate(),
        List.of(),
        original.capReached(),
        original.tierReached());
  }

  private static void requireSale(SaleSplit original) {
    if (original.gross().signum() <= 0) {
      throw new IllegalArgumentException("only a sale can be clawed back, not a claw-back");
    }
  }

  /** {@code value} at the currency's scale, refused unless more than 0. */
  private static BigDecimal positiveAmount(String what, BigDecimal value, Currency currency) {
    BigDecimal amount = ShareTable.amount(what, value, currency);
    if (amount.signum() <= 0) {
      throw new IllegalArgumentException(
          "%s must be more than 0 %s, was %s"
              .formatted(what, currency.getCurrencyCode(), value.toPlainString()));
    }
    return amount;
  }
}
