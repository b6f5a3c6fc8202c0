package io.streamspace.billing.analytics;

import io.streamspace.billing.money.Money;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.YearMonth;
import java.util.Collections;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A month's MRR and its movements, from each organization's MRR at the month's start and end.
 * Pure: it reads nothing. The definitions are those of the subscription-analytics tools people
 * know (ChartMogul's, Baremetrics'), by comparing each organization's MRR at the two instants:
 *
 * <ul>
 *   <li><b>MRR</b>: Σ of the organizations' MRR at the month's end; an organization's MRR is its
 *       plan's price per month (a yearly plan's price ÷ 12) where the billing mode then charges a
 *       plan fee ({@link PlanFeeModes}), 0 in usage mode, on a free plan or once closed.
 *   <li><b>New</b>: Σ end of those at 0 at the start, never paid before, paying at the end.
 *   <li><b>Reactivation</b>: the same of those that had paid before the month.
 *   <li><b>Expansion</b>: Σ (end − start) of those paying at both and more at the end.
 *   <li><b>Contraction</b>: Σ (start − end) of those paying at both and less at the end.
 *   <li><b>Churned</b>: Σ start of those paying at the start and not at the end.
 * </ul>
 *
 * So {@code MRR(end) = MRR(start) + new + reactivation + expansion − contraction − churned}. A
 * change and its reverse within one month (an upgrade undone) moves nothing.
 *
 * <ul>
 *   <li><b>Logo churn rate</b>: organizations churned ÷ organizations paying at the start.
 *   <li><b>Revenue churn rate</b> (gross): (churned + contraction) ÷ MRR at the start.
 *   <li><b>Conversion rate</b> (free → paid): of the organizations that had never paid, open
 *       before the month's end and not paying at its start, the share paying at its end.
 *   <li><b>ARPA</b>: MRR ÷ organizations paying at the month's end.
 * </ul>
 *
 * Each amount is summed exactly and rounded once, to the currency's minor unit ({@link Money});
 * each rate is rounded once to {@value #RATE_DECIMALS} decimals, half up.
 */
public final class MrrMovements {

  /** The decimals of a rate: 0.2500 is 25 %. */
  public static final int RATE_DECIMALS = 4;

  /** Each figure's formula, in words, as the answer carries them beside the figures. */
  public static final Map<String, String> DEFINITIONS = definitions();

  private MrrMovements() {}

  /** The month's figures from every organization of that currency over it. */
  public static MonthFigures of(YearMonth month, Currency currency, List<AccountMonth> accounts) {
    Tally tally = new Tally();
    accounts.forEach(tally::add);
    return tally.figures(month, currency);
  }

  /** The sums of a month, an organization at a time: what {@link #of} adds up, streamed. */
  public static final class Tally {
    private BigDecimal startMrr = BigDecimal.ZERO;
    private BigDecimal endMrr = BigDecimal.ZERO;
    private BigDecimal newMrr = BigDecimal.ZERO;
    private BigDecimal reactivation = BigDecimal.ZERO;
    private BigDecimal expansion = BigDecimal.ZERO;
    private BigDecimal contraction = BigDecimal.ZERO;
    private BigDecimal churned = BigDecimal.ZERO;
    private int payingAtStart;
    private int payingAtEnd;
    private int churnedCount;
    private int freeAtStart;
    private int converted;

    /** Adds one organization's month (class comment: which movement it is). */
    public void add(AccountMonth a) {
      boolean paidAtStart = a.start().signum() > 0;
      boolean paysAtEnd = a.end().signum() > 0;
      startMrr = startMrr.add(a.start());
      endMrr = endMrr.add(a.end());
      payingAtStart += paidAtStart ? 1 : 0;
      payingAtEnd += paysAtEnd ? 1 : 0;
      if (paidAtStart && !paysAtEnd) {
        churned = churned.add(a.start());
        churnedCount++;
      } else if (paidAtStart) {
        int change = a.end().compareTo(a.start());
        if (change > 0) {
          expansion = expansion.add(a.end().subtract(a.start()));
        } else if (change < 0) {
          contraction = contraction.add(a.start().subtract(a.end()));
        }
      } else if (paysAtEnd && a.paidBefore()) {
        reactivation = reactivation.add(a.end());
      } else if (paysAtEnd) {
        newMrr = newMrr.add(a.end());
      }
      if (!paidAtStart && !a.paidBefore() && a.opened()) {
        freeAtStart++;
        converted += paysAtEnd ? 1 : 0;
      }
    }

    /** The figures of what was added, each rounded once. */
    public MonthFigures figures(YearMonth month, Currency currency) {
      return new MonthFigures(
          month,
          currency.getCurrencyCode(),
          amount(endMrr, currency),
          amount(newMrr, currency),
          amount(expansion, currency),
          amount(contraction, currency),
          amount(churned, currency),
          amount(reactivation, currency),
          rate(BigDecimal.valueOf(churnedCount), BigDecimal.valueOf(payingAtStart)),
          rate(churned.add(contraction), startMrr),
          rate(BigDecimal.valueOf(converted), BigDecimal.valueOf(freeAtStart)),
          payingAtEnd == 0
              ? null
              : amount(
                  endMrr.divide(BigDecimal.valueOf(payingAtEnd), 12, RoundingMode.HALF_UP),
                  currency),
          payingAtStart,
          payingAtEnd,
          churnedCount,
          freeAtStart,
          converted);
    }
  }

  private static BigDecimal amount(BigDecimal exact, Currency currency) {
    return Money.lineTotal(exact, BigDecimal.ONE, currency);
  }

  /** {@code part ÷ whole} at {@link #RATE_DECIMALS} decimals; null when {@code whole} is 0. */
  private static BigDecimal rate(BigDecimal part, BigDecimal whole) {
    return whole.signum() == 0 ? null : part.divide(whole, RATE_DECIMALS, Money.ROUNDING);
  }

  private static Map<String, String> definitions() {
    Map<String, String> d = new LinkedHashMap<>();
    d.put(
        "mrr",
        "Σ of the organizations' MRR at the month's end: a plan's price per month (a yearly"
            + " plan's ÷ 12) while the billing mode charges a plan fee (subscription, hybrid),"
            + " less the discount of a coupon redeemed for the plan whose periods hold the"
            + " instant, 0 in usage mode, on a free plan or once closed");
    d.put("new_mrr", "Σ MRR at the end of organizations that had never paid and pay at the end");
    d.put(
        "expansion_mrr",
        "Σ (end − start) of organizations paying at the start and more at the end");
    d.put(
        "contraction_mrr",
        "Σ (start − end) of organizations paying at the start and less, but something, at the"
            + " end");
    d.put("churned_mrr", "Σ MRR at the start of organizations paying at the start, not at the end");
    d.put(
        "reactivation_mrr",
        "Σ MRR at the end of organizations that had paid before the month, not at its start, and"
            + " pay at its end");
    d.put(
        "logo_churn_rate",
        "organizations paying at the start and not at the end ÷ organizations paying at the start");
    d.put("revenue_churn_rate", "(churned_mrr + contraction_mrr) ÷ MRR at the month's start");
    d.put(
        "conversion_rate",
        "of the organizations that had never paid, not paying at the start and opened before the"
            + " end, the share paying at the end");
    d.put("arpa", "mrr ÷ organizations paying at the month's end");
    d.put(
        "credit_notes",
        "Σ total (tax included) of the credit notes of invoices whose period starts in the month,"
            + " whenever they were issued");
    d.put(
        "plan_fee_credit_notes",
        "Σ what those credit notes credited of plan-fee lines, before tax");
    d.put(
        "net_mrr",
        "mrr − plan_fee_credit_notes: the month's MRR net of what credit notes gave back of its"
            + " plan fees (mrr itself, the run rate of the plan terms, is not changed by them)");
    return Collections.unmodifiableMap(d);
  }
}
