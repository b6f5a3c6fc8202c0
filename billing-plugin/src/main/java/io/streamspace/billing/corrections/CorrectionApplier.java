package io.streamspace.billing.corrections;

import io.streamspace.billing.audit.Actor;
import io.streamspace.billing.audit.AuditEntry;
import io.streamspace.billing.audit.AuditKinds;
import io.streamspace.billing.audit.AuditTrail;
import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.corrections.CorrectionJournal.Step;
import io.streamspace.billing.invoicing.AddedUsage;
import io.streamspace.billing.invoicing.ChargeLine;
import io.streamspace.billing.invoicing.Invoice;
import io.streamspace.billing.invoicing.InvoiceCalculator;
import io.streamspace.billing.metering.MeteringStore;
import io.streamspace.billing.money.BillingPeriods;
import io.streamspace.billing.prepaid.Burns;
import io.streamspace.billing.rating.RatingRuns;
import io.streamspace.billing.rating.Rerating;
import io.streamspace.billing.rating.Rerating.RatedSlice;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The step that applies a recorded correction, in the caller's one transaction (all of it or,
 * on failure, nothing; a correction already applied is left as it is, so a retry, a second node
 * or a resume after a crash applies it once): the invoices it may change priced as they stand
 * ({@link TouchedInvoices}); its backfilled events and corrected reports written ({@link
 * HistoryWrites}); the usage it changes rated again from the corrected history ({@link
 * RatedAgain}, {@link Rerating}) and the differences written where they bill ({@link
 * CorrectedRecords}); a prepaid balance's burns of the periods not invoiced yet set to the
 * corrected usage ({@link Burns#corrected}); the invoices priced again and what changed stored
 * ({@link EffectRows}); each organization's audit entry; the step reached.
 */
final class CorrectionApplier {

  private final InvoiceCalculator calculator;
  private final MeteringStore store;
  private final Supplier<BillingConfig> config;
  private final Burns burns;

  CorrectionApplier(
      InvoiceCalculator calculator, MeteringStore store, Supplier<BillingConfig> config) {
    this.calculator = calculator;
    this.store = store;
    this.config = config;
    // measured as calculate-usage's burns are: by the invoice's own figure of the period
    this.burns =
        new Burns(
            (connection, orgId, currency, periodStart) ->
                calculator.periodSoFar(connection, orgId, currency, periodStart).chargedUsage());
  }

  /** Applies correction {@code id} at {@code now}, unless it is applied already. */
  void apply(Connection connection, long id, Instant now) throws SQLException, CorrectionRefused {
    long run = RatingRuns.begin(connection); // before any row lock, as a rating run takes it
    if (CorrectionJournal.lock(connection, id) != Step.RECORDED) {
      return;
    }
    BillingConfig current = config.get();
    BillingPeriods periods = new BillingPeriods(current.invoiceDay(), current.billingTimeZone());
    Instant cap = now.minus(current.sessionHeartbeatTimeout());
    List<Entry> mine = CorrectionJournal.entries(connection, id);
    Reach reach = Reach.of(connection, mine);
    reach.lock(connection);
    List<Entry> applied = CorrectionJournal.appliedOf(connection, reach.orgs());
    Cells cells = new Cells(current.billingTimeZone());
    // the slice of the earliest change is rated again whole, from its start
    Instant from = cells.floor(reach.from());
    RecordedUsage was = RecordedUsage.read(connection, reach.sessions(), reach.orgs(), from);
    Map<String, Currency> currencies = new HashMap<>();
    was.organizations()
        .forEach((org, o) -> currencies.put(org, Currency.getInstance(o.currency())));
    List<Invoice> touched =
        TouchedInvoices.of(connection, reach.earliest(), currencies, periods, now);
    List<List<ChargeLine>> before = priced(connection, touched);

    List<String> backfilled = HistoryWrites.backfill(connection, store, mine, current, cap);
    HistoryWrites.counters(connection, id, mine);
    List<String> sessions = new ArrayList<>(reach.sessions());
    backfilled.stream().filter(s -> !sessions.contains(s)).forEach(sessions::add);
    RecordedUsage is = RecordedUsage.read(connection, sessions, reach.orgs(), from);
    RatedAgain again =
        RatedAgain.plan(
            new RatedAgain.Reads(was, is, applied, mine, Set.copyOf(backfilled), cells, cap));
    List<RatedSlice> deltas =
        UsageDeltas.of(
            connection,
            again.subjects(),
            Rerating.rate(connection, current, again.subjects(), again.steps()));
    CorrectedRecords.write(connection, id, run, now, deltas, finalizedOf(deltas, touched));
    CorrectedRecords.move(connection, again.watermarks());
    // a prepaid balance burned for a period not invoiced yet burns or gets back the difference
    burns.corrected(connection, current, id, run, from, now);

    List<List<ChargeLine>> after = priced(connection, touched);
    List<Effect> effects = effects(touched, before, after, reach);
    EffectRows.store(connection, id, effects, current.billingTimeZone());
    AuditTrail.recordAll(connection, audited(connection, id, effects, now));
    CorrectionJournal.reached(connection, id, Step.APPLIED, now);
  }

  /** The invoices' lines now, each finalized one with the corrections' usage it holds. */
  private List<List<ChargeLine>> priced(Connection connection, List<Invoice> invoices)
      throws SQLException {
    Map<Long, List<AddedUsage>> added = TouchedInvoices.corrected(connection, invoices);
    return calculator.chargesNow(connection, invoices, i -> added.getOrDefault(i.id(), List.of()));
  }

  /** Each change of a finalized invoice's period goes to that invoice. */
  private static Map<RatedSlice, Long> finalizedOf(List<RatedSlice> deltas, List<Invoice> touched) {
    Map<RatedSlice, Long> invoiceOf = new HashMap<>();
    for (RatedSlice delta : deltas) {
      touched.stream()
          .filter(TouchedInvoices::finalized)
          .filter(i -> i.orgId().equals(delta.orgId()))
          .filter(i -> !delta.sliceStart().isBefore(i.periodStart()))
          .filter(i -> delta.sliceStart().isBefore(i.periodEnd()))
          .findFirst()
          .ifPresent(i -> invoiceOf.put(delta, i.id()));
    }
    return invoiceOf;
  }

  /**
   * The invoices whose charges changed; an organization none of whose did keeps the one its
   * earliest instant falls in, at no difference, so that it sees the correction.
   */
  private static List<Effect> effects(
      List<Invoice> touched,
      List<List<ChargeLine>> before,
      List<List<ChargeLine>> after,
      Reach reach) {
    List<Effect> changed = new ArrayList<>();
    Map<String, Effect> first = new LinkedHashMap<>();
    for (int i = 0; i < touched.size(); i++) {
      Effect effect = Effect.of(touched.get(i), before.get(i), after.get(i));
      first.putIfAbsent(effect.invoice().orgId(), effect);
      if (!effect.lines().isEmpty()) {
        changed.add(effect);
      }
    }
    for (String org : reach.orgs()) {
      if (changed.stream().noneMatch(e -> e.invoice().orgId().equals(org))
          && first.containsKey(org)) {
        changed.add(first.get(org));
      }
    }
    return changed;
  }

  /** One entry per organization: its invoices' charges before credits, without and with it. */
  private static List<AuditEntry> audited(
      Connection connection, long id, List<Effect> effects, Instant now) throws SQLException {
    CorrectionJournal.Made made = CorrectionJournal.made(connection, id);
    Cause cause = new Cause(Actor.admin(made.actorId()), made.reason(), made.requestId());
    Map<String, List<Map<String, Object>>> before = new LinkedHashMap<>();
    Map<String, List<Map<String, Object>>> after = new LinkedHashMap<>();
    for (Effect effect : effects) {
      Invoice invoice = effect.invoice();
      before
          .computeIfAbsent(invoice.orgId(), o -> new ArrayList<>())
          .add(shown(invoice, effect.before()));
      after
          .computeIfAbsent(invoice.orgId(), o -> new ArrayList<>())
          .add(shown(invoice, effect.after()));
    }
    List<AuditEntry> entries = new ArrayList<>();
    before.forEach(
        (org, charges) ->
            entries.add(
                new AuditEntry(
                    now,
                    cause,
                    org,
                    AuditKinds.USAGE_CORRECTED,
                    "correction:" + id,
                    Map.of("invoices", charges),
                    Map.of("invoices", after.get(org)))));
    return entries;
  }

  private static Map<String, Object> shown(Invoice invoice, java.math.BigDecimal charges) {
    Map<String, Object> shown = new LinkedHashMap<>();
    shown.put("invoice_id", invoice.id() == 0 ? null : invoice.id());
    shown.put("invoice_number", invoice.invoiceNumber());
    shown.put("period_start", invoice.periodStart());
    shown.put("period_end", invoice.periodEnd());
    shown.put("charges", charges);
    return shown;
  }
}
