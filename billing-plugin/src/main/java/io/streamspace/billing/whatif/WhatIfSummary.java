package io.streamspace.billing.whatif;

import io.streamspace.billing.money.Money;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The totals and the distribution of a what-if, added up an organization at a time (so the
 * organizations themselves are never held): a fixed number of counters, whatever their number.
 *
 * <p><b>Totals</b>, per currency (amounts of two currencies are never added): the organizations,
 * their invoiced and what-if totals and the delta, and how much those paying more pay more in
 * all ({@code increase}) and those paying less pay less ({@code decrease}, negative).
 *
 * <p><b>Distribution</b>, across currencies: how many pay more, less and the same, and how many
 * fall in each bucket of the change relative to what they were invoiced ({@link Bucket}): less
 * by more than 50 %, by 20–50 %, 10–20 %, 5–10 %, up to 5 %; the same; more by up to 5 %, 5–10 %,
 * 10–20 %, 20–50 %, more than 50 %; and more from nothing (invoiced 0, something under the
 * what-if), which no percentage measures. A bucket holds its bound nearer zero: a change of
 * exactly +5 % is "up to 5 %", of exactly −50 % "20–50 %".
 */
public final class WhatIfSummary {

  /** A bucket of relative change, in percent of the invoiced total; null bounds are open. */
  public enum Bucket {
    LESS_OVER_50(null, -50),
    LESS_20_TO_50(-50, -20),
    LESS_10_TO_20(-20, -10),
    LESS_5_TO_10(-10, -5),
    LESS_UP_TO_5(-5, 0),
    SAME(0, 0),
    MORE_UP_TO_5(0, 5),
    MORE_5_TO_10(5, 10),
    MORE_10_TO_20(10, 20),
    MORE_20_TO_50(20, 50),
    MORE_OVER_50(50, null),
    MORE_FROM_NOTHING(null, null);

    private final Integer fromPercent;
    private final Integer toPercent;

    Bucket(Integer fromPercent, Integer toPercent) {
      this.fromPercent = fromPercent;
      this.toPercent = toPercent;
    }

    /** The lower bound in percent; null when open (or for {@link #MORE_FROM_NOTHING}). */
    public Integer fromPercent() {
      return fromPercent;
    }

    /** The upper bound in percent; null when open (or for {@link #MORE_FROM_NOTHING}). */
    public Integer toPercent() {
      return toPercent;
    }

    /** As the answer names it: {@code less_over_50}. */
    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    static Bucket of(AccountDelta account) {
      int sign = account.delta().signum();
      if (sign == 0) {
        return SAME;
      }
      if (account.invoicedTotal().signum() == 0) {
        return MORE_FROM_NOTHING;
      }
      BigDecimal percent =
          account
              .delta()
              .multiply(BigDecimal.valueOf(100))
              .divide(account.invoicedTotal().abs(), 6, RoundingMode.HALF_UP);
      Bucket[] side =
          sign < 0
              ? new Bucket[] {LESS_UP_TO_5, LESS_5_TO_10, LESS_10_TO_20, LESS_20_TO_50}
              : new Bucket[] {MORE_UP_TO_5, MORE_5_TO_10, MORE_10_TO_20, MORE_20_TO_50};
      BigDecimal magnitude = percent.abs();
      for (Bucket bucket : side) {
        int bound = sign < 0 ? -bucket.fromPercent : bucket.toPercent;
        if (magnitude.compareTo(BigDecimal.valueOf(bound)) <= 0) {
          return bucket;
        }
      }
      return sign < 0 ? LESS_OVER_50 : MORE_OVER_50;
    }
  }

  /** The totals of one currency. */
  public static final class Total {
    private final Currency currency;
    private long accounts;
    private BigDecimal invoiced;
    private BigDecimal whatIf;
    private BigDecimal increase;
    private BigDecimal decrease;

    Total(Currency currency) {
      this.currency = currency;
      invoiced = Money.zero(currency);
      whatIf = Money.zero(currency);
      increase = Money.zero(currency);
      decrease = Money.zero(currency);
    }

    public Currency currency() {
      return currency;
    }

    public long accounts() {
      return accounts;
    }

    public BigDecimal invoicedTotal() {
      return invoiced;
    }

    public BigDecimal whatIfTotal() {
      return whatIf;
    }

    public BigDecimal delta() {
      return whatIf.subtract(invoiced);
    }

    /** Σ of the positive deltas. */
    public BigDecimal increase() {
      return increase;
    }

    /** Σ of the negative deltas (negative). */
    public BigDecimal decrease() {
      return decrease;
    }
  }

  private final Map<String, Total> totals = new TreeMap<>();
  private final long[] buckets = new long[Bucket.values().length];

  /** Counts one organization in. */
  public void add(AccountDelta account) {
    Total total =
        totals.computeIfAbsent(
            account.currency().getCurrencyCode(), code -> new Total(account.currency()));
    total.accounts++;
    total.invoiced = total.invoiced.add(account.invoicedTotal());
    total.whatIf = total.whatIf.add(account.whatIfTotal());
    BigDecimal delta = account.delta();
    if (delta.signum() > 0) {
      total.increase = total.increase.add(delta);
    } else {
      total.decrease = total.decrease.add(delta);
    }
    buckets[Bucket.of(account).ordinal()]++;
  }

  /** The totals, by currency code. */
  public List<Total> totals() {
    return new ArrayList<>(totals.values());
  }

  /** How many organizations fall in the bucket. */
  public long count(Bucket bucket) {
    return buckets[bucket.ordinal()];
  }

  /** How many pay more under the what-if. */
  public long more() {
    long more = 0;
    for (Bucket b : Bucket.values()) {
      if (b.name().startsWith("MORE")) {
        more += count(b);
      }
    }
    return more;
  }

  /** How many pay less. */
  public long less() {
    long less = 0;
    for (Bucket b : Bucket.values()) {
      if (b.name().startsWith("LESS")) {
        less += count(b);
      }
    }
    return less;
  }

  /** How many pay the same. */
  public long same() {
    return count(Bucket.SAME);
  }
}
