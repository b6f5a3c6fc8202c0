package io.streamspace.billing.invoicing;

import io.streamspace.billing.catalog.BillingMode;
import io.streamspace.billing.catalog.Meter;
import io.streamspace.billing.catalog.PlanLimits;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.invoicing.MeterCharges.CounterUse;
import io.streamspace.billing.metering.UsageCounters.Split;
import io.streamspace.billing.money.BillingPeriods;
import io.streamspace.billing.money.Money;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * What an invoice charges: the account's unbilled usage up to the invoice's period end (its own
 * period, plus records of earlier periods rated after their invoice was finalized), summed into
 * {@link UsageBucket}s, priced by {@link PeriodCharges} with the plans the account was on; and
 * the period counters above the plan's included amount, priced by {@link MeterCharges} from the
 * usage reports as they are when the invoice is finalized (a report stored later is not billed,
 * unless it occurred after the invoice's period end: then the next invoice bills it); and the
 * capacity packs, priced by {@link PackCharges} ({@link PackChargeRows}); and the store items
 * bought to be paid on the invoice ({@link StoreCharges}, {@link StoreChargeRows}); and the
 * organization's seats beyond its plan's included ones, priced by {@link SeatCharges} from its
 * membership events as they are when the invoice is finalized ({@link SeatRows}), in every
 * billing mode.
 *
 * <p>Finalization claims the records it bills by range ({@link UsageClaims}: one claim row, up
 * to the invoice's period end and the settled rating run), in the same transaction, so each
 * record (and each one-time pack charge) is billed exactly once; a draft's {@link #preview}
 * computes the same lines from the same records without claiming them. A team's buckets are
 * read per member (the user who ran the records' sessions), so that its invoice can be broken
 * down by member ({@link MemberShares}) from the very records it bills. A coupon the
 * organization redeemed for the invoice's period takes its discount off the lines it applies to
 * ({@link Discounts}), as lines of their own after them.
 */
public final class InvoiceCalculator {

  private static final Split NOTHING_USED = new Split(BigDecimal.ZERO, BigDecimal.ZERO);

  /**
   * An invoice's charge lines with what they were computed from, for its breakdown by member.
   *
   * @param usage the billed usage per bucket and member
   * @param terms the plans the lines were priced with
   * @param discounts the discount lines among {@code lines} (the last of them), with the line
   *     each takes something off
   */
  record Billed(
      List<ChargeLine> lines,
      List<MemberBucket> usage,
      List<PlanTerm> terms,
      List<MemberCounterUse> counters,
      List<SeatCharges.SeatLine> seats,
      List<Discounts.DiscountLine> discounts) {

    /** The lines shared out among the organization's members ({@link MemberShares}). */
    List<MemberShares.Share> shares(Currency currency) {
      return MemberShares.of(lines, usage, terms, counters, seats, currency);
    }
  }

  private final DataSource dataSource;
  private final Supplier<BillingConfig> config;

  public InvoiceCalculator(DataSource dataSource, Supplier<BillingConfig> config) {
    this.dataSource = dataSource;
    this.config = config;
  }

  /**
   * The lines a draft would get if it were finalized now, computed from the usage it would claim
   * (nothing is claimed or stored); empty when there is no draft of that id.
   */
  public Optional<List<ChargeLine>> preview(long invoiceId) throws SQLException {
    return previewBilled(invoiceId, false).map(Billed::lines);
  }

  /**
   * {@link #preview}, with what its lines were computed from: per member when {@code byMember}
   * (a team's), else as one member.
   */
  Optional<Billed> previewBilled(long invoiceId, boolean byMember) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      Optional<Invoice> draft =
          InvoiceRepository.find(connection, invoiceId, false)
              .filter(i -> i.status() == InvoiceStatus.DRAFT);
      if (draft.isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(bill(connection, List.of(draft.get()), null, null, i -> byMember).get(0));
    }
  }

  /**
   * What the invoice of the billing period holding {@code now} would charge if it were finalized
   * now, before credits (nothing is claimed or stored): the period's plan fees and recurring
   * packs as the invoice prorates them (the whole period of the plan the account is on: the
   * invoice charges it whatever is used), the usage of the period rated so far and its overage,
   * the counters' overage and the one-time packs bought or renewed in it. Usage and packs of
   * earlier periods that a later invoice would bill (while the last invoice is a draft) are left
   * out: they are not this period's spending.
   */
  public List<ChargeLine> periodSoFar(String orgId, Currency currency, Instant now)
      throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      return periodSoFar(connection, orgId, currency, now).lines(List.of());
    }
  }

  /**
   * {@link #periodSoFar(String, Currency, Instant)}'s inputs, read in the caller's connection
   * (its transaction, so that what the caller reads beside them is of the same snapshot), priced
   * when asked, with usage not rated yet added ({@link PeriodSoFar#lines}).
   */
  public PeriodSoFar periodSoFar(
      Connection connection, String orgId, Currency currency, Instant now) throws SQLException {
    BillingConfig current = config.get();
    BillingPeriods periods = new BillingPeriods(current.invoiceDay(), current.billingTimeZone());
    Invoice period = PeriodSoFar.invoiceOf(orgId, currency, now, periods);
    Read read = read(connection, List.of(period), null, period.periodStart(), i -> false, current);
    return new PeriodSoFar(
        period, read.usage().get(0).usage(), read.inputs().of(0), current, periods);
  }

  /**
   * The charge lines of each of {@code invoices}, with what they were computed from, in the
   * caller's transaction, which holds their accounts' locks: finalization, which claims the
   * billed records and pack charges for the invoices, the records up to {@code settledRun}
   * ({@link io.streamspace.billing.rating.RatingRuns#settled}, read before those locks). In their
   * order, which is also the order they claim in (an earlier one of an account claims first what
   * two of its invoices could both bill); each input read for the whole chunk by one statement;
   * the usage read per member for the invoices {@code byMember} answers true of (a team's, which
   * is broken down by member).
   */
  List<Billed> charges(
      Connection connection, List<Invoice> invoices, long settledRun, Predicate<Invoice> byMember)
      throws SQLException {
    return bill(connection, invoices, settledRun, null, byMember);
  }

  /**
   * The lines each of the drafts would get if it were finalized now, in the caller's connection
   * (nothing claimed or stored), each input read for them all by one statement: what their tax
   * is calculated for ({@link InvoiceTaxes}).
   */
  List<Billed> previews(Connection connection, List<Invoice> drafts, Predicate<Invoice> byMember)
      throws SQLException {
    return bill(connection, drafts, null, null, byMember);
  }

  /**
   * {@link #charges(Connection, List, long, Predicate)}, or (no {@code settledRun}) the same read
   * without claiming, of the usage and one-time packs from {@code usageFrom} on (all when null).
   * The one implementation of what an invoice charges: inputs read set-based for the chunk
   * ({@link UsageClaims}, {@link ChargeInputs}), lines computed per invoice by the pure pricing
   * classes.
   */
  private List<Billed> bill(
      Connection connection,
      List<Invoice> invoices,
      Long settledRun,
      Instant usageFrom,
      Predicate<Invoice> byMember)
      throws SQLException {
    Read read = read(connection, invoices, settledRun, usageFrom, byMember, config.get());
    List<Billed> billed = new ArrayList<>(invoices.size());
    for (int i = 0; i < invoices.size(); i++) {
      billed.add(
          priced(
              invoices.get(i),
              read.usage().get(i).usage(),
              read.inputs().of(i),
              read.config(),
              read.periods()));
    }
    return billed;
  }

  /** What {@link #bill} prices the invoices from, read under one config. */
  private record Read(
      List<UsageClaims.Claimed> usage,
      ChargeInputs inputs,
      BillingConfig config,
      BillingPeriods periods) {}

  /** {@link #bill}'s reads: the usage claimed (or peeked), then the other inputs. */
  private static Read read(
      Connection connection,
      List<Invoice> invoices,
      Long settledRun,
      Instant usageFrom,
      Predicate<Invoice> byMember,
      BillingConfig current)
      throws SQLException {
    BillingPeriods periods = new BillingPeriods(current.invoiceDay(), current.billingTimeZone());
    boolean claim = settledRun != null;
    List<Boolean> perMember = invoices.stream().map(byMember::test).toList();
    List<UsageClaims.Claimed> usage =
        claim
            ? UsageClaims.claim(
                connection, invoices, settledRun, byMember, current.billingMode(), periods)
            : UsageClaims.peek(
                connection, invoices, usageFrom, byMember, current.billingMode(), periods);
    List<Instant> termsFrom = termsFrom(invoices, usage);
    ChargeInputs inputs =
        ChargeInputs.read(
            connection,
            invoices,
            termsFrom,
            perMember,
            claim,
            usageFrom == null ? Instant.EPOCH : usageFrom,
            current.meters().maxCounterIds(),
            periods);
    return new Read(usage, inputs, current, periods);
  }

  /**
   * From when each invoice's plan terms are read: its period's start, or the earliest usage it
   * claims when that is earlier (late usage of an earlier period).
   */
  private static List<Instant> termsFrom(List<Invoice> invoices, List<UsageClaims.Claimed> usage) {
    List<Instant> from = new ArrayList<>();
    for (int i = 0; i < invoices.size(); i++) {
      Instant floor = usage.get(i).floor();
      Instant start = invoices.get(i).periodStart();
      from.add(floor == null || start.isBefore(floor) ? start : floor);
    }
    return from;
  }

  /**
   * An invoice's charges before credits, as invoiced and under a what-if's prices.
   *
   * @param invoiced a finalized invoice's stored subtotal; else what it would charge if it were
   *     finalized now
   * @param whatIf what it charges under the what-if's prices ({@link Repricing})
   * @param whatIfLines the lines that make {@code whatIf}
   */
  public record Rerated(
      Invoice invoice, BigDecimal invoiced, BigDecimal whatIf, List<ChargeLine> whatIfLines) {}

  /** How an invoice's inputs are read again: as a finalized one billed them, or as a draft's. */
  private enum Reread {
    BILLED,
    DRAFT
  }

  /**
   * What each of {@code invoices} charges before credits, as invoiced and under {@code
   * repricing}'s prices, in the caller's transaction, writing nothing: the what-if. Each invoice's
   * inputs are read once and priced twice by the very code that prices an invoice when it is
   * finalized ({@link #priced}): the usage a finalized invoice claimed and the one-time packs it
   * billed, read again by its claim ({@link UsageClaims#billed}); a draft's as its {@link
   * #preview} reads them, and so those of an invoice not opened yet (id 0: a period
   * generate-invoices has not drafted yet). Counters, seats and plans are read as a preview reads
   * them. Per clock hour when either config is {@code hybrid} (its overage is measured per hour;
   * the other modes sum the same records whatever the buckets). In the order of {@code invoices}.
   */
  public List<Rerated> rerate(Connection connection, List<Invoice> invoices, Repricing repricing)
      throws SQLException {
    BillingConfig current = repricing.current();
    BillingPeriods periods = new BillingPeriods(current.invoiceDay(), current.billingTimeZone());
    boolean hourly =
        current.billingMode() == BillingMode.HYBRID
            || repricing.whatIf().billingMode() == BillingMode.HYBRID;
    BillingMode readAs = hourly ? BillingMode.HYBRID : current.billingMode();
    Rerated[] rerated = new Rerated[invoices.size()];
    for (Reread kind : Reread.values()) {
      List<Integer> places = new ArrayList<>();
      for (int i = 0; i < invoices.size(); i++) {
        if (reread(invoices.get(i)) == kind) {
          places.add(i);
        }
      }
      if (places.isEmpty()) {
        continue;
      }
      List<Invoice> group = places.stream().map(invoices::get).toList();
      List<UsageClaims.Claimed> usage =
          kind == Reread.BILLED
              ? UsageClaims.billed(connection, group, hourly, periods)
              : UsageClaims.peek(connection, group, null, i -> false, readAs, periods);
      List<Instant> termsFrom = termsFrom(group, usage);
      ChargeInputs inputs =
          ChargeInputs.read(
              connection,
              group,
              termsFrom,
              group.stream().map(i -> false).toList(),
              kind == Reread.BILLED
                  ? PackChargeRows.OneTimeRead.BILLED
                  : PackChargeRows.OneTimeRead.PEEK,
              Instant.EPOCH,
              current.meters().maxCounterIds(),
              periods);
      for (int i = 0; i < group.size(); i++) {
        Invoice invoice = group.get(i);
        List<MemberBucket> used = usage.get(i).usage();
        ChargeInputs.Of of = inputs.of(i);
        BigDecimal invoiced =
            kind == Reread.BILLED
                ? invoice.subtotal()
                : subtotal(invoice, priced(invoice, used, of, current, periods));
        Billed whatIf =
            priced(
                invoice,
                repricing.usage(used, invoice, hourly, periods),
                repricing.inputs(of, invoice),
                repricing.whatIf(),
                periods);
        rerated[places.get(i)] =
            new Rerated(invoice, invoiced, subtotal(invoice, whatIf), whatIf.lines());
      }
    }
    return List.of(rerated);
  }

  /**
   * What each of {@code invoices} charges now, before credits, with {@code added} usage on top,
   * in the caller's transaction, writing nothing: the what-if's reads ({@link #rerate}: a
   * finalized invoice from what it billed, a draft or a period not drafted yet as its preview),
   * priced by the invoice's own code. A correction prices its invoices so before and after it.
   */
  public List<List<ChargeLine>> chargesNow(
      Connection connection, List<Invoice> invoices, Function<Invoice, List<AddedUsage>> added)
      throws SQLException {
    return rerate(connection, invoices, Repricing.adding(config.get(), added)).stream()
        .map(Rerated::whatIfLines)
        .toList();
  }

  private static Reread reread(Invoice invoice) {
    return invoice.status() == InvoiceStatus.DRAFT ? Reread.DRAFT : Reread.BILLED;
  }

  /** Σ of the lines, as finalization sums them into the subtotal. */
  private static BigDecimal subtotal(Invoice invoice, Billed billed) {
    return billed.lines().stream()
        .map(ChargeLine::amount)
        .reduce(Money.zero(invoice.currency()), BigDecimal::add);
  }

  /** One invoice's lines, from the inputs read for it: pure, no statement. */
  static Billed priced(
      Invoice invoice,
      List<MemberBucket> usage,
      ChargeInputs.Of inputs,
      BillingConfig current,
      BillingPeriods periods) {
    List<UsageBucket> buckets = List.copyOf(MemberBucket.byBucket(usage).keySet());
    List<PlanTerm> terms = inputs.terms();
    List<ChargeLine> lines =
        new ArrayList<>(
            PeriodCharges.compute(
                current.billingMode(),
                invoice.currency(),
                invoice.periodStart(),
                invoice.periodEnd(),
                terms,
                buckets,
                periods));
    List<MemberCounterUse> counters = counterUses(inputs, terms, current);
    lines.addAll(
        MeterCharges.lines(
            invoice.currency(),
            current.meterRatesIn(invoice.currency()),
            invoice.periodStart(),
            invoice.periodEnd(),
            counters.stream().map(MemberCounterUse::use).toList()));
    List<SeatCharges.SeatLine> seats =
        SeatCharges.lines(
            inputs.seats(),
            terms,
            term -> term.limits(current).of(Meter.MEMBERS),
            current.meterRatesIn(invoice.currency()).flatMap(rates -> rates.find(Meter.MEMBERS)),
            periods,
            invoice.currency(),
            invoice.periodStart(),
            invoice.periodEnd());
    seats.forEach(seat -> lines.add(seat.line()));
    lines.addAll(
        PackCharges.lines(
            invoice.currency(),
            invoice.periodStart(),
            invoice.periodEnd(),
            inputs.oneTimePacks(),
            inputs.recurringPacks(),
            periods));
    lines.addAll(StoreCharges.lines(invoice.currency(), inputs.storeCharges(), periods.zone()));
    lines.addAll(CorrectionCharges.lines(invoice.currency(), inputs.corrections()));
    // a redeemed coupon's discounts come last, after what they discount
    List<Discounts.DiscountLine> discounts =
        Discounts.of(lines, terms, inputs.discounts(), invoice.currency());
    discounts.forEach(discount -> lines.add(discount.line()));
    return new Billed(lines, usage, terms, counters, seats, discounts);
  }

  /**
   * The period counters the invoice bills, per billing period it overlaps (an admin's invoice
   * may span several, or start inside one: {@link ChargeInputs.CounterWindow}), each read from
   * the reports as they are now, with what each member reported of it when the invoice is read
   * by member (else none is read).
   */
  private static List<MemberCounterUse> counterUses(
      ChargeInputs.Of inputs, List<PlanTerm> terms, BillingConfig config) {
    List<MemberCounterUse> uses = new ArrayList<>();
    for (ChargeInputs.Counters window : inputs.counters()) {
      PlanLimits limits =
          MeterCharges.planAt(terms, window.to())
              .map(term -> term.limits(config))
              .orElse(new PlanLimits(Map.of()))
              .raisedBy(window.packsAdded());
      for (Meter meter : config.meters().periodCounters()) {
        Split split = window.used().getOrDefault(meter.configName(), NOTHING_USED);
        uses.add(
            new MemberCounterUse(
                new CounterUse(meter, limits.of(meter), split.before(), split.during()),
                window.reportedBy().getOrDefault(meter.configName(), Map.of())));
      }
    }
    return uses;
  }
}
