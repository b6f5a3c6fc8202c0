package io.streamspace.billing.invoicing;

import io.streamspace.billing.catalog.Meter;
import io.streamspace.billing.coupons.Coverage;
import io.streamspace.billing.coupons.Discount;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
import io.streamspace.billing.invoicing.CorrectionCharges.CorrectionCharge;
import io.streamspace.billing.invoicing.PackCharges.OneTimeCharge;
import io.streamspace.billing.invoicing.PackCharges.RecurringPack;
import io.streamspace.billing.invoicing.SeatCharges.Seat;
import io.streamspace.billing.invoicing.StoreCharges.StoreCharge;
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
import java.util.List;
import java.util.Map;

/**
 * What the invoices of a chunk are priced from, besides their usage buckets: the plans each
 * account was on, its period counters (with what each member reported, for a team), what its
 * packs add to its limits, its seats, its pack charges, its store purchases, the charges
 * corrections left for it and the coupons it redeemed that discount it ({@link Coverage}). Each
 * is read for the whole chunk by
 * one statement (the invoices' keys bound as arrays and unnested {@code WITH ORDINALITY}, each
 * row answering for its invoice's place in the chunk), so a chunk of 300 invoices costs as many
 * statements as one invoice does.
 */
final class ChargeInputs {

  // the plans of each invoice's account in [from, to), in the order they started
  private static final NamedSql TERMS =
      NamedSql.of(
          """
          SELECT w.ord, %s
          FROM unnest(:user_id::text[], :from::text[]::timestamptz[], :to::text[]::timestamptz[])
               WITH ORDINALITY AS w(user_id, from_at, to_at, ord)
          JOIN billing_subscriptions s
            ON s.user_id = w.user_id AND s.started_at < w.to_at
           AND (s.ended_at IS NULL OR s.ended_at > w.from_at)
          ORDER BY w.ord, s.started_at"""
              .formatted(PlanTermRows.COLUMNS));

  /**
   * An invoice's part of one billing period, over which its counters are read: {@code [from,
   * to)} of the period starting at {@code periodStart} (a counter counts from its period's
   * start, so what {@code [periodStart, from)} used is below the included amount first).
   */
  record CounterWindow(int invoice, String orgId, Instant periodStart, Instant from, Instant to) {}

  /** The counters of one window: used, reported by member (a team's), raised by packs. */
  record Counters(
      Instant to,
      Map<String, Split> used,
      Map<String, Map<String, BigDecimal>> reportedBy,
      Map<Meter, BigDecimal> packsAdded) {}

  /** One invoice's inputs. */
  record Of(
      List<PlanTerm> terms,
      List<Counters> counters,
      List<Seat> seats,
      List<OneTimeCharge> oneTimePacks,
      List<RecurringPack> recurringPacks,
      List<StoreCharge> storeCharges,
      List<CorrectionCharge> corrections,
      List<Discount> discounts) {}

  private final List<Of> inputs;

  private ChargeInputs(List<Of> inputs) {
    this.inputs = inputs;
  }

  /** The inputs of the chunk's {@code i}th invoice. */
  Of of(int i) {
    return inputs.get(i);
  }

  /**
   * Reads the inputs of {@code invoices} in the caller's transaction: the plans from each one's
   * {@code termsFrom}; the counters read by member where {@code byMember} says so; the one-time
   * pack charges from {@code packsFrom} on, claimed when {@code claim} (an earlier invoice of the
   * chunk claims first a charge two invoices of one account could both bill).
   */
  static ChargeInputs read(
      Connection connection,
      List<Invoice> invoices,
      List<Instant> termsFrom,
      List<Boolean> byMember,
      boolean claim,
      Instant packsFrom,
      String[] maxMeters,
      BillingPeriods periods)
      throws SQLException {
    return read(
        connection,
        invoices,
        termsFrom,
        byMember,
        claim ? PackChargeRows.OneTimeRead.CLAIM : PackChargeRows.OneTimeRead.PEEK,
        packsFrom,
        maxMeters,
        periods);
  }

  /**
   * {@link #read(Connection, List, List, List, boolean, Instant, String[], BillingPeriods)}, the
   * one-time pack charges read as {@code oneTimeRead} says (a what-if reads those finalized
   * invoices billed).
   */
  static ChargeInputs read(
      Connection connection,
      List<Invoice> invoices,
      List<Instant> termsFrom,
      List<Boolean> byMember,
      PackChargeRows.OneTimeRead oneTimeRead,
      Instant packsFrom,
      String[] maxMeters,
      BillingPeriods periods)
      throws SQLException {
    List<List<PlanTerm>> terms = terms(connection, invoices, termsFrom);
    List<CounterWindow> windows = windows(invoices, periods);
    List<Map<String, Split>> used = UsageCounters.split(connection, windows(windows), maxMeters);
    List<CounterWindow> teamWindows =
        windows.stream().filter(w -> byMember.get(w.invoice())).toList();
    List<Map<String, Map<String, BigDecimal>>> reported =
        UsageCounters.byMember(connection, windows(teamWindows));
    List<Map<Meter, BigDecimal>> added =
        PackPurchaseRepository.addedDuring(
            connection,
            windows.stream().map(CounterWindow::orgId).toList(),
            windows.stream().map(CounterWindow::periodStart).toList(),
            windows.stream().map(CounterWindow::to).toList());
    List<List<Seat>> seats = SeatRows.of(connection, invoices);
    List<List<OneTimeCharge>> oneTime =
        PackChargeRows.oneTime(connection, invoices, oneTimeRead, packsFrom);
    List<List<RecurringPack>> recurring = PackChargeRows.recurring(connection, invoices);
    List<List<StoreCharge>> store =
        StoreChargeRows.of(connection, invoices, oneTimeRead, packsFrom);
    List<List<CorrectionCharge>> corrections =
        CorrectionChargeRows.of(connection, invoices, oneTimeRead, packsFrom);
    List<List<Discount>> discounts =
        Coverage.discounts(
            connection,
            invoices.stream()
                .map(i -> new Coverage.Invoiced(i.orgId(), i.periodStart(), i.periodEnd()))
                .toList());

    List<List<Counters>> counters = new ArrayList<>();
    invoices.forEach(i -> counters.add(new ArrayList<>()));
    int team = 0;
    for (int w = 0; w < windows.size(); w++) {
      CounterWindow window = windows.get(w);
      Map<String, Map<String, BigDecimal>> byMemberOf =
          byMember.get(window.invoice()) ? reported.get(team++) : Map.of();
      counters
          .get(window.invoice())
          .add(new Counters(window.to(), used.get(w), byMemberOf, added.get(w)));
    }
    List<Of> inputs = new ArrayList<>(invoices.size());
    for (int i = 0; i < invoices.size(); i++) {
      inputs.add(
          new Of(
              terms.get(i),
              counters.get(i),
              seats.get(i),
              oneTime.get(i),
              recurring.get(i),
              store.get(i),
              corrections.get(i),
              discounts.get(i)));
    }
    return new ChargeInputs(inputs);
  }

  /**
   * The windows of each invoice, in order: one per billing period it overlaps (an admin's
   * invoice may span several, or start inside one).
   */
  static List<CounterWindow> windows(List<Invoice> invoices, BillingPeriods periods) {
    List<CounterWindow> windows = new ArrayList<>();
    for (int i = 0; i < invoices.size(); i++) {
      Invoice invoice = invoices.get(i);
      for (Instant from = invoice.periodStart(); from.isBefore(invoice.periodEnd()); ) {
        Instant to = min(periods.periodEnd(from), invoice.periodEnd());
        windows.add(new CounterWindow(i, invoice.orgId(), periods.periodStart(from), from, to));
        from = to;
      }
    }
    return windows;
  }

  private static List<UsageCounters.Window> windows(List<CounterWindow> windows) {
    return windows.stream()
        .map(w -> new UsageCounters.Window(w.orgId(), w.periodStart(), w.from(), w.to()))
        .toList();
  }

  private static List<List<PlanTerm>> terms(
      Connection connection, List<Invoice> invoices, List<Instant> from) throws SQLException {
    List<List<PlanTerm>> terms = new ArrayList<>();
    invoices.forEach(i -> terms.add(new ArrayList<>()));
    try (PreparedStatement statement =
            TERMS
                .bind("user_id", SqlArrays.array(connection, invoices, Invoice::orgId))
                .bind("from", SqlArrays.array(connection, from, f -> f))
                .bind("to", SqlArrays.array(connection, invoices, Invoice::periodEnd))
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        terms.get(rs.getInt(1) - 1).add(PlanTermRows.read(rs, 2));
      }
    }
    return terms;
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }
}
