package io.streamspace.billing.quota;

import io.streamspace.billing.catalog.Limit;
import io.streamspace.billing.catalog.Meter;
import io.streamspace.billing.catalog.MeterRates;
import io.streamspace.billing.catalog.Meters;
import io.streamspace.billing.catalog.PlanLimits;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.money.BillingPeriods;
import io.streamspace.billing.pace.StepPause;
import io.streamspace.billing.planversions.VersionLimits;
import java.math.BigDecimal;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Quota state: what accounts use ({@link QuotaReadings}) against their limits (those of the
 * version of their plan they are on, {@link VersionLimits}, raised by their active packs: {@link
 * PlanLimits#raisedBy}), judged by {@link QuotaRule} with the config in effect at the time of the
 * reading.
 */
public final class Quotas {

  private final QuotaReadings readings;
  private final Supplier<BillingConfig> config;
  private final Clock clock;

  public Quotas(QuotaReadings readings, Supplier<BillingConfig> config, Clock clock) {
    this.readings = readings;
    this.config = config;
    this.clock = clock;
  }

  /** The quota of the account of that user, if it has one. */
  public Optional<AccountQuota> of(String orgId) throws SQLException {
    Reading reading = reading();
    return readings.of(orgId, reading.at()).map(reading::quota);
  }

  /** The quota of every account, by user id. */
  public List<AccountQuota> all() throws SQLException {
    Reading reading = reading();
    List<AccountQuota> quotas = new ArrayList<>();
    for (UseSnapshot use : readings.all(reading.at())) {
      quotas.add(reading.quota(use));
    }
    return quotas;
  }

  /** What a run over every account does with each page of their quotas. */
  @FunctionalInterface
  public interface PageOfQuotas {
    void take(List<AccountQuota> page) throws SQLException;
  }

  /**
   * Hands the quota of every account to {@code each}, at most {@code size} accounts at a time in
   * user id order, all judged at one instant: a run over every account holds one page in memory,
   * not every account's quota (which grows with the accounts stored). Between two pages, {@code
   * pause} is given the time the page before took, read and handed.
   */
  public void inPages(int size, StepPause pause, PageOfQuotas each) throws SQLException {
    Reading reading = reading();
    String after = "";
    while (true) {
      long began = System.nanoTime();
      List<UseSnapshot> uses = readings.page(after, size, reading.at());
      List<AccountQuota> page = new ArrayList<>(uses.size());
      for (UseSnapshot use : uses) {
        page.add(reading.quota(use));
      }
      if (!page.isEmpty()) {
        each.take(page);
      }
      if (uses.size() < size) {
        return;
      }
      after = uses.get(uses.size() - 1).orgId();
      pause.after(Duration.ofNanos(System.nanoTime() - began));
    }
  }

  /**
   * A page of the meters of accounts at or over the alert threshold, worst first (see {@link
   * QuotaReadings#overThreshold}), judged in SQL by the same rule as {@link #all}.
   *
   * @param state only that state ({@code WARNING}, {@code EXCEEDED} or {@code
   *     CONFIRMATION_REQUIRED}); null for all three
   * @param meter only that meter; null for all
   */
  public List<MeterOverThreshold> overThreshold(
      QuotaState state, Meter meter, int limit, int offset) throws SQLException {
    return readings.overThreshold(judgedMeters(), state, meter, limit, offset);
  }

  /**
   * How many accounts have at least one meter in each of {@code WARNING}, {@code EXCEEDED} and
   * {@code CONFIRMATION_REQUIRED} now, by the rule of {@link #overThreshold}; zero for a state
   * no account is in.
   */
  public Map<QuotaState, Long> accountsByState() throws SQLException {
    Map<QuotaState, Long> counts = new EnumMap<>(QuotaState.class);
    for (QuotaState state : QuotaState.values()) {
      if (state != QuotaState.OK) {
        counts.put(state, 0L);
      }
    }
    counts.putAll(readings.accountsByState(judgedMeters()));
    return counts;
  }

  /** The meters in effect, in their order. */
  public Meters meters() {
    return config.get().meters();
  }

  /** Every account's meters as judged now, with the config in effect: see JudgedMeters. */
  public JudgedMeters judgedMeters() throws SQLException {
    Reading reading = reading();
    return new JudgedMeters(reading.rule(), reading.versions().all(reading.config()), reading.at());
  }

  /** A reading now: the config in effect, and the limits of the plans' versions read now. */
  private Reading reading() throws SQLException {
    BillingConfig current = config.get();
    return new Reading(current, clock.instant(), readings.versionLimits(current));
  }

  /**
   * One reading's config and instant, the billing period that holds it, and the limits of the
   * plans' versions.
   */
  private record Reading(BillingConfig config, Instant now, VersionLimits versions) {

    BillingPeriods periods() {
      return new BillingPeriods(config.invoiceDay(), config.billingTimeZone());
    }

    Instant periodStart() {
      return periods().periodStart(now);
    }

    Instant periodEnd() {
      return periods().periodEnd(now);
    }

    QuotaReadings.At at() {
      return new QuotaReadings.At(
          now,
          now.minus(config.sessionHeartbeatTimeout()),
          periodStart(),
          periodEnd(),
          config.meters());
    }

    QuotaRule rule() {
      return new QuotaRule(config.alertThreshold());
    }

    AccountQuota quota(UseSnapshot use) {
      QuotaRule rule = rule();
      PlanLimits limits =
          versions.of(config, use.planId(), use.planVersion()).raisedBy(use.packAdds());
      Optional<MeterRates> rates = config.meterRatesIn(use.currency());
      List<MeterQuota> meters = new ArrayList<>();
      for (Meter meter : config.meters().all()) {
        Limit limit = limits.of(meter);
        BigDecimal used = use.of(meter);
        QuotaState state = rule.state(meter, used, limit, use.overageConfirmed().contains(meter));
        boolean counter = meter.measure() == Meter.Measure.PERIOD_COUNTER;
        meters.add(
            new MeterQuota(
                meter,
                used,
                limit.amount(),
                rule.percent(used, limit),
                limit.unlimited() ? null : limit.kind(),
                state,
                counter ? periodEnd() : null,
                state.atOrOverLimit() && QuotaRule.needsConfirmation(meter, limit)
                    ? OverageCost.of(meter, used.subtract(limit.amount()), use.currency(), rates)
                        .map(OverageCost::soFar)
                        .orElse(null)
                    : null));
      }
      return new AccountQuota(use.orgId(), use.currency(), periodStart(), meters);
    }
  }
}
