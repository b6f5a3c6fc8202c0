package io.streamspace.billing.invoicing;

import io.streamspace.billing.catalog.BillingMode;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.money.BillingPeriods;
import io.streamspace.billing.money.Money;
import io.streamspace.billing.money.UsageUnit;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;

/**
 * The current billing period of one organization as its invoice would be computed now ({@link
 * InvoiceCalculator#periodSoFar(java.sql.Connection, String, Currency, Instant)}): its rated
 * usage and other inputs, read once, priced on demand by the invoice's own code ({@link
 * InvoiceCalculator#priced}) with usage not rated yet added, so that a figure of "cost so far"
 * is the invoice's to the cent once that usage is rated. Pure once read.
 */
public final class PeriodSoFar {

  private static final Duration HOUR = Duration.ofHours(1);

  private final Invoice period;
  private final List<MemberBucket> rated;
  private final ChargeInputs.Of inputs;
  private final BillingConfig config;
  private final BillingPeriods periods;

  PeriodSoFar(
      Invoice period,
      List<MemberBucket> rated,
      ChargeInputs.Of inputs,
      BillingConfig config,
      BillingPeriods periods) {
    this.period = period;
    this.rated = List.copyOf(rated);
    this.inputs = inputs;
    this.config = config;
    this.periods = periods;
  }

  /**
   * The billing period holding {@code now} of an organization whose only inputs are its rated
   * usage ({@code rated}, in the buckets the invoice reads: see {@link #lines}) and the plans it
   * was on ({@code terms}): no counters, seats, packs or store items. A period read from the
   * database is {@link InvoiceCalculator#periodSoFar(java.sql.Connection, String, Currency,
   * Instant)}'s; this one is built from figures (a hand-worked example).
   */
  public static PeriodSoFar of(
      String orgId,
      Currency currency,
      BillingConfig config,
      Instant now,
      List<UsageBucket> rated,
      List<PlanTerm> terms) {
    BillingPeriods periods = new BillingPeriods(config.invoiceDay(), config.billingTimeZone());
    return new PeriodSoFar(
        invoiceOf(orgId, currency, now, periods),
        rated.stream().map(bucket -> new MemberBucket(null, bucket)).toList(),
        new ChargeInputs.Of(
            terms, List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of()),
        config,
        periods);
  }

  /** The invoice of the period holding {@code now}, as if drafted now (no id, no number). */
  static Invoice invoiceOf(String orgId, Currency currency, Instant now, BillingPeriods periods) {
    return new Invoice(
        0,
        null,
        orgId,
        periods.periodStart(now),
        periods.periodEnd(now),
        InvoiceStatus.DRAFT,
        currency,
        null,
        null,
        null,
        null,
        null,
        null,
        null);
  }

  /** The period's start (inclusive). */
  public Instant start() {
    return period.periodStart();
  }

  /** The period's end (exclusive). */
  public Instant end() {
    return period.periodEnd();
  }

  public Currency currency() {
    return period.currency();
  }

  /**
   * The period's lines, before credits, with {@code unrated} added to the rated usage: pieces of
   * usage not rated yet, each inside one UTC clock hour and inside the period (as calculate-usage
   * cuts its slices), at the unit prices rating would give them. Each piece joins the bucket its
   * record will join once rated (the period; in {@code hybrid} mode its clock hour within the
   * period), so the lines are those the invoice computes then.
   *
   * @throws IllegalArgumentException for a piece outside the period or across a clock hour
   */
  public List<ChargeLine> lines(List<UsageBucket> unrated) {
    List<MemberBucket> usage = new ArrayList<>(rated);
    boolean hourly = config.billingMode() == BillingMode.HYBRID;
    for (UsageBucket piece : unrated) {
      Instant hour = piece.start().truncatedTo(ChronoUnit.HOURS);
      if (piece.start().isBefore(start())
          || piece.end().isAfter(end())
          || piece.end().isAfter(hour.plus(HOUR))) {
        throw new IllegalArgumentException("a piece outside the period or an hour: " + piece);
      }
      Instant from = hourly && hour.isAfter(start()) ? hour : start();
      Instant to = hourly && hour.plus(HOUR).isBefore(end()) ? hour.plus(HOUR) : end();
      usage.add(
          new MemberBucket(
              null,
              new UsageBucket(
                  piece.unit(),
                  from,
                  to,
                  piece.unitSeconds(),
                  piece.unitPrice(),
                  piece.activity(),
                  piece.savedUnitSeconds())));
    }
    return InvoiceCalculator.priced(period, usage, inputs, config, periods).lines();
  }

  /**
   * What the period's invoice would charge for its usage rated so far, as its own lines charge
   * it (each rounded once), before credits: its usage lines in {@code usage} mode, its overage of
   * the plan's resources in {@code hybrid} mode, nothing in {@code subscription} mode; plan fees,
   * counters, seats, packs and store items left out. What a prepaid balance burns is measured
   * against it.
   */
  public BigDecimal chargedUsage() {
    return lines(List.of()).stream()
        .filter(
            line ->
                line.kind() == ChargeLine.ChargeKind.USAGE
                    || line.kind() == ChargeLine.ChargeKind.OVERAGE)
        .filter(line -> line.unit() instanceof UsageUnit)
        .map(ChargeLine::amount)
        .reduce(Money.zero(currency()), BigDecimal::add);
  }

  /**
   * What one more hour of {@code hour} (what is held now, an hour of it per resource at the unit
   * price it is held at: a session's idle price while it is idle) would add to the usage the
   * invoice charges, in exact unit-seconds: all of it in {@code usage} mode, what
   * exceeds the plan's allowance for that hour in {@code hybrid} mode ({@link
   * PeriodCharges#bucketOverage}, against the plan held at {@code now}), none in {@code
   * subscription} mode.
   */
  public List<UsageBucket> chargedHour(List<UsageBucket> hour) {
    return switch (config.billingMode()) {
      case USAGE -> hour;
      case SUBSCRIPTION -> List.of();
      case HYBRID ->
          PeriodCharges.bucketOverage(inputs.terms(), hour).stream()
              .map(
                  over ->
                      new UsageBucket(
                          over.bucket().unit(),
                          over.bucket().start(),
                          over.bucket().end(),
                          over.unitSeconds(),
                          over.bucket().unitPrice()))
              .toList();
    };
  }

  /**
   * What {@code usage} costs at its unit prices as {@code usage} lines charge it: one line per
   * resource and unit price, its exact unit-seconds × price divided and rounded once ({@link
   * Money#lineTotal}), the lines added up.
   */
  public static BigDecimal atTheRates(List<UsageBucket> usage, Currency currency) {
    Instant any = Instant.EPOCH;
    return PeriodCharges.usageLines(currency, any, any, usage).stream()
        .map(ChargeLine::amount)
        .reduce(Money.zero(currency), BigDecimal::add);
  }
}
