package io.streamspace.billing.invoicing;

import io.streamspace.billing.invoicing.ChargeLine.ChargeKind;
import io.streamspace.billing.money.BillingPeriods;
import io.streamspace.billing.money.Money;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Currency;
import java.util.List;
import java.util.Objects;

/**
 * What capacity packs cost on an invoice of {@code [start, end)}: one {@code pack} line per
 * charge. Pure: it reads nothing and rounds each line once ({@link Money}).
 *
 * <ul>
 *   <li><b>One-time.</b> Each purchase and each renewal is a charge of the pack's price as
 *       bought, in full, on the invoice of the period it happened in (the caller passes those
 *       the invoice claims: unbilled, before its end).
 *   <li><b>Recurring.</b> A pack active over {@code [from, until)} ({@code until} its
 *       cancellation, or open) is charged, on each invoice it overlaps, for the overlap {@code
 *       [max(from, start), min(until, end))}, prorated to the second against the billing periods
 *       exactly as a monthly plan fee is ({@link PeriodCharges#prorated}): a whole period costs
 *       the price, a part of period P costs {@code price × overlap seconds / seconds of P}.
 * </ul>
 */
public final class PackCharges {

  /**
   * A one-time pack's purchase or renewal.
   *
   * @param price as bought, in the invoice's currency
   * @param at    when it was bought or renewed
   */
  public record OneTimeCharge(
      String packName, BigDecimal price, Instant at, Instant validFrom, Instant validUntil) {
    public OneTimeCharge {
      Objects.requireNonNull(price, "price");
      Objects.requireNonNull(at, "at");
    }
  }

  /**
   * A recurring pack's purchase.
   *
   * @param price per billing period, as bought, in the invoice's currency
   * @param until its cancellation, or null while it runs
   */
  public record RecurringPack(String packName, BigDecimal price, Instant from, Instant until) {
    public RecurringPack {
      Objects.requireNonNull(price, "price");
      Objects.requireNonNull(from, "from");
    }
  }

  private PackCharges() {}

  /** The invoice's pack lines: the one-time charges, then the recurring packs (class comment). */
  public static List<ChargeLine> lines(
      Currency currency,
      Instant start,
      Instant end,
      List<OneTimeCharge> oneTime,
      List<RecurringPack> recurring,
      BillingPeriods periods) {
    ZoneId zone = periods.zone();
    List<ChargeLine> lines = new ArrayList<>();
    for (OneTimeCharge charge :
        oneTime.stream().sorted(Comparator.comparing(OneTimeCharge::at)).toList()) {
      lines.add(
          new ChargeLine(
              ChargeKind.PACK,
              charge.packName() + ", " + dates(charge.validFrom(), charge.validUntil(), zone),
              null,
              null,
              charge.price(),
              Money.lineTotal(charge.price(), BigDecimal.ONE, currency),
              charge.validFrom(),
              charge.validUntil()));
    }
    for (RecurringPack pack :
        recurring.stream().sorted(Comparator.comparing(RecurringPack::from)).toList()) {
      Instant from = pack.from().isAfter(start) ? pack.from() : start;
      Instant to = pack.until() == null || pack.until().isAfter(end) ? end : pack.until();
      if (!from.isBefore(to)) {
        continue;
      }
      lines.add(
          new ChargeLine(
              ChargeKind.PACK,
              pack.packName() + ", " + dates(from, to, zone),
              null,
              null,
              pack.price(),
              PeriodCharges.prorated(pack.price(), "month", from, to, periods, currency),
              from,
              to));
    }
    return lines;
  }

  private static String dates(Instant from, Instant to, ZoneId zone) {
    return from.atZone(zone).toLocalDate() + " – " + to.atZone(zone).toLocalDate();
  }
}
