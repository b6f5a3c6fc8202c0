package io.streamspace.billing.store.share;

import io.streamspace.billing.catalog.share.ShareTable;
import io.streamspace.billing.catalog.share.Tier;
import io.streamspace.billing.money.Money;
import java.math.BigDecimal;
import java.util.Comparator;
import java.util.Currency;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A creator's statement for one month in one currency. Pure: it sums its lines and never rounds
 * (every line is already in minor units), so its figures do not depend on the order of the lines,
 * which it shows by time, then reference, then kind.
 *
 * <p><b>The balance</b> is what the platform owes the creator. {@code closingBalance =
 * openingBalance + Σ lines' creatorShare}: sales raise it, refunds, chargebacks and payout lines
 * lower it, adjustments either way. The opening balance is the previous statement's {@code
 * carriedForward} and may be negative.
 *
 * <p><b>The payout</b> is the closing balance when it is at least {@code minimumPayout} (and more
 * than 0), else 0; what is not paid is carried forward: {@code carriedForward = closingBalance −
 * payout}. A negative balance (a chargeback after its sale's payout) is carried forward and
 * recovered from later sales first: they fill it before anything is paid out.
 *
 * <p><b>The totals</b>: {@code salesGross} Σ gross of the sales; {@code refundsGross} Σ gross of
 * the refunds and chargebacks (negative, as the lines are); {@code platformShare} and {@code
 * creatorShare} Σ over every line but payouts (the net of the month's sales, claw-backs and
 * adjustments); {@code tierReached} the {@link Tier#label} of the highest tier any sale of the
 * statement reached (by threshold), or {@code ""} when it has no sale.
 */
public record CreatorStatement(
    Currency currency,
    BigDecimal openingBalance,
    List<StatementLine> lines,
    BigDecimal salesGross,
    BigDecimal refundsGross,
    BigDecimal platformShare,
    BigDecimal creatorShare,
    BigDecimal closingBalance,
    BigDecimal payout,
    BigDecimal carriedForward,
    String tierReached) {

  /** The order lines are shown in. */
  private static final Comparator<StatementLine> SHOWN =
      Comparator.comparing(StatementLine::at)
          .thenComparing(StatementLine::reference)
          .thenComparing(StatementLine::kind);

  public CreatorStatement {
    Objects.requireNonNull(currency, "currency");
    Objects.requireNonNull(tierReached, "tierReached");
    lines = List.copyOf(lines);
    BigDecimal moved =
        lines.stream().map(StatementLine::creatorShare).reduce(BigDecimal.ZERO, BigDecimal::add);
    if (openingBalance.add(moved).compareTo(closingBalance) != 0
        || closingBalance.subtract(payout).compareTo(carriedForward) != 0) {
      throw new IllegalArgumentException(
          "a statement's balances do not add up: opening %s + lines %s, closing %s,"
              + " payout %s, carried %s"
                  .formatted(openingBalance, moved, closingBalance, payout, carriedForward));
    }
  }

  /**
   * The statement of {@code lines} from {@code openingBalance} (class comment).
   *
   * @throws IllegalArgumentException when an amount has more decimals than the currency, or
   *     {@code minimumPayout} is below 0
   */
  public static CreatorStatement of(
      Currency currency,
      BigDecimal openingBalance,
      List<StatementLine> lines,
      BigDecimal minimumPayout) {
    BigDecimal zero = Money.zero(currency);
    BigDecimal opening = ShareTable.amount("openingBalance", openingBalance, currency);
    BigDecimal minimum = ShareTable.amount("minimumPayout", minimumPayout, currency);
    if (minimum.signum() < 0) {
      throw new IllegalArgumentException(
          "minimumPayout must be at least 0, was " + minimumPayout.toPlainString());
    }
    List<StatementLine> shown =
        lines.stream().map(line -> scaled(line, currency)).sorted(SHOWN).toList();
    BigDecimal sales = zero;
    BigDecimal refunds = zero;
    BigDecimal platform = zero;
    BigDecimal creator = zero;
    BigDecimal paidOut = zero;
    Optional<Tier> highest = Optional.empty();
    for (StatementLine line : shown) {
      switch (line.kind()) {
        case StatementLine.SALE -> sales = sales.add(line.gross());
        case StatementLine.REFUND, StatementLine.CHARGEBACK -> refunds = refunds.add(line.gross());
        default -> {}
      }
      if (line.kind().equals(StatementLine.PAYOUT)) {
        paidOut = paidOut.add(line.creatorShare());
      } else {
        platform = platform.add(line.platformShare());
        creator = creator.add(line.creatorShare());
      }
      highest = higher(highest, line.tier());
    }
    BigDecimal closing = opening.add(creator).add(paidOut);
    BigDecimal payout = closing.signum() > 0 && closing.compareTo(minimum) >= 0 ? closing : zero;
    return new CreatorStatement(
        currency,
        opening,
        shown,
        sales,
        refunds,
        platform,
        creator,
        closing,
        payout,
        closing.subtract(payout),
        highest.map(Tier::label).orElse(""));
  }

  private static Optional<Tier> higher(Optional<Tier> a, Optional<Tier> b) {
    if (a.isEmpty()) {
      return b;
    }
    if (b.isEmpty()) {
      return a;
    }
    return b.get().fromGross().compareTo(a.get().fromGross()) > 0 ? b : a;
  }

  /** The line with its amounts at the currency's scale, refused when one has more decimals. */
  private static StatementLine scaled(StatementLine line, Currency currency) {
    String what = line.kind() + " " + line.reference() + "'s ";
    return new StatementLine(
        line.kind(),
        line.reference(),
        line.at(),
        ShareTable.amount(what + "gross", line.gross(), currency),
        ShareTable.amount(what + "platformShare", line.platformShare(), currency),
        ShareTable.amount(what + "creatorShare", line.creatorShare(), currency),
        line.tier());
  }
}
