package io.streamspace.billing.invoicing;

import io.streamspace.billing.catalog.Meter;
import io.streamspace.billing.catalog.PlanLimits;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.invoicing.MeterCharges.CounterUse;
import io.streamspace.billing.metering.UsageCounters;
import io.streamspace.billing.metering.UsageCounters.Split;
import io.streamspace.billing.money.BillingPeriods;
import io.streamspace.billing.packs.PackPurchaseRepository;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * What an invoice charges: the account's unbilled usage up to the invoice's period end (its own
 * period, plus records of earlier periods rated after their invoice was finalized), summed into
 * {@link UsageBucket}s, priced by {@link PeriodCharges} with the plans the account was on; and
 * the period counters above the plan's included amount, priced by {@link MeterCharges} from the
 * usage reports as they are when the invoice is finalized (a report stored later is not billed,
 * unless it occurred after the invoice's period end: then the next invoice bills it); and the
 * capacity packs, priced by {@link PackCharges} ({@link PackChargeRows}); and the organization's
 * seats beyond its plan's included ones, priced by {@link SeatCharges} from its membership events
 * as they are when the invoice is finalized ({@link SeatRows}), in every billing mode.
 *
 * <p>Finalization claims the records it bills by range ({@link UsageClaims}: one claim row, up
 * to the invoice's period end and the settled rating run), in the same transaction, so each
 * record (and each one-time pack charge) is billed exactly once; a draft's {@link #preview}
 * computes the same lines from the same records without claiming them. A team's buckets are
 * read per member (the user who ran the records' sessions), so that its invoice can be broken
 * down by member ({@link MemberShares}) from the very records it bills.
 */
public final class InvoiceCalculator {

  private static final NamedSql TERMS =
      NamedSql.of(
          """
          SELECT %s
          FROM billing_subscriptions s
          WHERE s.user_id = :user_id AND s.started_at < :to
            AND (s.ended_at IS NULL OR s.ended_at > :from)
          ORDER BY s.started_at"""
              .formatted(PlanTermRows.COLUMNS));

  private static final Split NOTHING_USED = new Split(BigDecimal.ZERO, BigDecimal.ZERO);

  /**
   * An invoice's charge lines with what they were computed from, for its breakdown by member.
   *
   * @param usage the billed usage per bucket and member
   * @param terms the plans the lines were priced with
   */
  record Billed(
      List<ChargeLine> lines,
      List<MemberBucket> usage,
      List<PlanTerm> terms,
      List<MemberCounterUse> counters,
      List<SeatCharges.SeatLine> seats) {

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
      return Optional.of(bill(connection, draft.get(), null, null, byMember));
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
  public List<ChargeLine> periodSoFar(String userId, Currency currency, Instant now)
      throws SQLException {
    BillingConfig current = config.get();
    BillingPeriods periods = new BillingPeriods(current.invoiceDay(), current.billingTimeZone());
    Instant start = periods.periodStart(now);
    Invoice period =
        new Invoice(
            0,
            null,
            userId,
            start,
            periods.periodEnd(now),
            InvoiceStatus.DRAFT,
            currency,
            null,
            null,
            null,
            null,
            null,
            null);
    try (Connection connection = dataSource.getConnection()) {
      return bill(connection, period, null, start, false).lines();
    }
  }

  /**
   * The invoice's charge lines, with the usage per member they were computed from, in the
   * caller's transaction, which holds the account's lock: finalization, which claims the billed
   * records for the invoice up to {@code settledRun} ({@link
   * io.streamspace.billing.rating.RatingRuns#settled}, read before that lock). The usage is read
   * per member only when {@code byMember} (a team's invoice, which is broken down by member).
   */
  Billed charges(Connection connection, Invoice invoice, long settledRun, boolean byMember)
      throws SQLException {
    return bill(connection, invoice, settledRun, null, byMember);
  }

  /**
   * {@link #charges}, or (no {@code settledRun}) the same read without claiming, of the usage
   * and one-time packs from {@code usageFrom} on (all when null).
   */
  private Billed bill(
      Connection connection, Invoice invoice, Long settledRun, Instant usageFrom, boolean byMember)
      throws SQLException {
    BillingConfig current = config.get();
    BillingPeriods periods = new BillingPeriods(current.invoiceDay(), current.billingTimeZone());
    boolean claim = settledRun != null;
    UsageClaims.Claimed claimed =
        (claim
                ? UsageClaims.claim(
                    connection,
                    List.of(invoice),
                    settledRun,
                    i -> byMember,
                    current.billingMode(),
                    periods)
                : UsageClaims.peek(
                    connection,
                    List.of(invoice),
                    usageFrom,
                    i -> byMember,
                    current.billingMode(),
                    periods))
            .get(0);
    return priced(connection, invoice, claimed, claim, usageFrom, byMember);
  }

  /**
   * The charge lines of the invoice whose usage is {@code claimed} ({@link UsageClaims}: claimed
   * when {@code claim}, which also claims its one-time pack charges; else only read, from {@code
   * usageFrom} on when not null), in the caller's transaction.
   */
  Billed priced(
      Connection connection,
      Invoice invoice,
      UsageClaims.Claimed claimed,
      boolean claim,
      Instant usageFrom,
      boolean byMember)
      throws SQLException {
    BillingConfig current = config.get();
    BillingPeriods periods = new BillingPeriods(current.invoiceDay(), current.billingTimeZone());
    Instant floor = claimed.floor(); // the earliest record billed: the plans are read from it
    List<MemberBucket> usage = claimed.usage();
    List<UsageBucket> buckets = List.copyOf(MemberBucket.byBucket(usage).keySet());
    Instant termsFrom =
        floor == null || invoice.periodStart().isBefore(floor) ? invoice.periodStart() : floor;
    List<PlanTerm> terms = terms(connection, invoice.userId(), termsFrom, invoice.periodEnd());
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
    List<MemberCounterUse> counters =
        counterUses(connection, invoice, terms, current, periods, byMember);
    lines.addAll(
        MeterCharges.lines(
            invoice.currency(),
            current.meterRatesIn(invoice.currency()),
            invoice.periodStart(),
            invoice.periodEnd(),
            counters.stream().map(MemberCounterUse::use).toList()));
    List<SeatCharges.SeatLine> seats =
        SeatCharges.lines(
            SeatRows.of(connection, invoice.userId(), invoice.periodEnd()),
            terms,
            planId -> current.limitsOf(planId).of(Meter.MEMBERS),
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
            PackChargeRows.oneTime(
                connection, invoice, claim, usageFrom == null ? Instant.EPOCH : usageFrom),
            PackChargeRows.recurring(connection, invoice),
            periods));
    return new Billed(lines, usage, terms, counters, seats);
  }

  /**
   * The period counters the invoice bills, per billing period it overlaps (an admin's invoice
   * may span several, or start inside one), each read from the reports as they are now, with
   * what each member reported of it when {@code byMember} (else none is read).
   */
  private static List<MemberCounterUse> counterUses(
      Connection connection,
      Invoice invoice,
      List<PlanTerm> terms,
      BillingConfig config,
      BillingPeriods periods,
      boolean byMember)
      throws SQLException {
    List<MemberCounterUse> uses = new ArrayList<>();
    for (Instant from = invoice.periodStart(); from.isBefore(invoice.periodEnd()); ) {
      Instant to = min(periods.periodEnd(from), invoice.periodEnd());
      Instant periodStart = periods.periodStart(from);
      Map<String, Split> used =
          UsageCounters.split(
              connection, invoice.userId(), periodStart, from, to, config.meters().maxCounterIds());
      Map<String, Map<String, BigDecimal>> reportedBy =
          byMember ? UsageCounters.byMember(connection, invoice.userId(), from, to) : Map.of();
      PlanLimits limits =
          MeterCharges.planAt(terms, to)
              .map(term -> config.limitsOf(term.planId()))
              .orElse(new PlanLimits(Map.of()))
              .raisedBy(
                  PackPurchaseRepository.addedDuring(
                      connection, invoice.userId(), periodStart, to));
      for (Meter meter : config.meters().periodCounters()) {
        Split split = used.getOrDefault(meter.configName(), NOTHING_USED);
        uses.add(
            new MemberCounterUse(
                new CounterUse(meter, limits.of(meter), split.before(), split.during()),
                reportedBy.getOrDefault(meter.configName(), Map.of())));
      }
      from = to;
    }
    return uses;
  }

  private static List<PlanTerm> terms(
      Connection connection, String userId, Instant from, Instant to) throws SQLException {
    List<PlanTerm> terms = new ArrayList<>();
    try (PreparedStatement statement =
            TERMS.bind("user_id", userId).bind("from", from).bind("to", to).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        terms.add(PlanTermRows.read(rs, 1));
      }
    }
    return terms;
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }
}
