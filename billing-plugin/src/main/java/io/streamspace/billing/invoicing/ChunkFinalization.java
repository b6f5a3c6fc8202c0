package io.streamspace.billing.invoicing;

import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.credits.CreditApplier;
import io.streamspace.billing.credits.CreditApplier.Application;
import io.streamspace.billing.db.GaplessNumbers;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
import io.streamspace.billing.invoicing.InvoiceFinalizer.OnFinalized;
import io.streamspace.billing.money.BillingPeriods;
import io.streamspace.billing.money.Money;
import io.streamspace.billing.prepaid.BalanceApplier;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The statements that finalize one chunk of drafts in the caller's transaction, each one
 * statement for the whole chunk, in this order: the drafts and their accounts locked ({@link
 * FinalizationLocks}), the drafts that wait for an earlier one of their account set aside, the
 * usage claimed and charged ({@link InvoiceCalculator}), the stored tax added ({@link
 * TaxAtFinalization}), credits applied, then the prepaid balance ({@link BalanceApplier}), the
 * lines stored ({@link FinalizedLines}) with a team's breakdown by member ({@link
 * InvoiceMemberAmounts}), the numbers taken last ({@link GaplessNumbers}: their counter row is
 * the one lock every finalization shares), then the invoices finalized with their totals,
 * audited, and handed to {@link OnFinalized}.
 */
final class ChunkFinalization {

  // logged under the finalizer's name, where operators read finalization's lines
  private static final Logger log = LoggerFactory.getLogger(InvoiceFinalizer.class);

  // a chunk's invoices finalized, each with its number and totals, answered as they now are
  private static final NamedSql FINALIZE =
      NamedSql.of(
          """
          UPDATE billing_invoices
          SET status = f.f_status, invoice_number = f.f_number, subtotal = f.f_subtotal,
              credits_applied = f.f_applied, balance_applied = f.f_balance, total = f.f_total,
              finalized_at = :now, due_at = :due_at,
              paid_at = CASE WHEN f.f_status = 'paid' THEN :now::timestamptz END
          FROM unnest(:id::text[]::bigint[], :status::text[], :number::text[],
                      :subtotal::text[]::numeric[], :credits_applied::text[]::numeric[],
                      :balance_applied::text[]::numeric[], :total::text[]::numeric[])
               AS f(f_id, f_status, f_number, f_subtotal, f_applied, f_balance, f_total)
          WHERE id = f.f_id
          RETURNING %s"""
              .formatted(InvoiceRepository.COLUMNS));

  /** A chunk's transaction: the invoices it finalized, and the drafts it left ({@link Left}). */
  record Chunk(List<Invoice> finalized, Left left) {}

  /** What a chunk left drafts: held by another run (or no longer drafts), and waiting. */
  record Left(List<Long> notTaken, List<Long> waiting) {
    static final Left NOTHING = new Left(List.of(), List.of());

    Left plus(Left other) {
      List<Long> moreNotTaken = new ArrayList<>(notTaken);
      moreNotTaken.addAll(other.notTaken);
      List<Long> moreWaiting = new ArrayList<>(waiting);
      moreWaiting.addAll(other.waiting);
      return new Left(moreNotTaken, moreWaiting);
    }

    /** Every id it left. */
    List<Long> all() {
      List<Long> ids = new ArrayList<>(notTaken);
      ids.addAll(waiting);
      return ids;
    }
  }

  /** What the finalize update writes of one invoice. */
  private record Totals(
      long id,
      String status,
      String number,
      BigDecimal subtotal,
      BigDecimal creditsApplied,
      BigDecimal balanceApplied,
      BigDecimal total) {}

  private final InvoiceCalculator calculator;
  private final Supplier<BillingConfig> config;
  private final OnFinalized onFinalized;

  ChunkFinalization(
      InvoiceCalculator calculator, Supplier<BillingConfig> config, OnFinalized onFinalized) {
    this.calculator = calculator;
    this.config = config;
    this.onFinalized = onFinalized;
  }

  /**
   * Finalizes the drafts of {@code ids} in the caller's transaction, each step one statement for
   * all of them; those that are no longer drafts, or (when {@code skipLocked}) that another
   * transaction holds, are left out and answered. Their usage is claimed up to {@code
   * settledRun}.
   */
  Chunk finalize(
      Connection connection,
      List<Long> ids,
      Instant now,
      Cause cause,
      long settledRun,
      boolean skipLocked)
      throws SQLException {
    List<Invoice> locked = FinalizationLocks.drafts(connection, ids, skipLocked);
    Set<Long> taken = new HashSet<>();
    locked.forEach(d -> taken.add(d.id()));
    List<Long> notTaken = ids.stream().filter(id -> !taken.contains(id)).toList();
    if (locked.isEmpty()) {
      return new Chunk(List.of(), new Left(notTaken, List.of()));
    }
    BillingConfig current = config.get();
    Set<String> teams = FinalizationLocks.accounts(connection, locked);
    Set<Long> waiting = FinalizationLocks.waitingForEarlier(connection, locked);
    List<Invoice> drafts = locked.stream().filter(d -> !waiting.contains(d.id())).toList();
    if (drafts.isEmpty()) {
      return new Chunk(List.of(), new Left(notTaken, List.copyOf(waiting)));
    }
    List<InvoiceCalculator.Billed> billed =
        calculator.charges(connection, drafts, settledRun, d -> teams.contains(d.orgId()));
    List<BigDecimal> subtotals = new ArrayList<>(drafts.size());
    List<BigDecimal> withTax = new ArrayList<>(drafts.size());
    List<CreditApplier.Due> dues = new ArrayList<>(drafts.size());
    Map<Long, InvoiceTaxRows.Calculated> taxed =
        TaxAtFinalization.calculated(connection, drafts, current);
    for (int i = 0; i < drafts.size(); i++) {
      Invoice draft = drafts.get(i);
      BigDecimal subtotal =
          billed.get(i).lines().stream()
              .map(ChargeLine::amount)
              .reduce(Money.zero(draft.currency()), BigDecimal::add);
      subtotals.add(subtotal);
      BigDecimal due = subtotal.add(TaxAtFinalization.added(draft, billed.get(i), taxed, current));
      withTax.add(due);
      // credits pay the invoice as the customer owes it, tax included (as a customer balance)
      dues.add(new CreditApplier.Due(draft.id(), draft.orgId(), draft.currency(), due));
    }
    List<List<Application>> credits = CreditApplier.apply(connection, dues, now);
    List<BigDecimal> creditsApplied = new ArrayList<>(drafts.size());
    List<BalanceApplier.Due> owed = new ArrayList<>(drafts.size());
    BillingPeriods periods = new BillingPeriods(current.invoiceDay(), current.billingTimeZone());
    for (int i = 0; i < drafts.size(); i++) {
      Invoice draft = drafts.get(i);
      creditsApplied.add(
          credits.get(i).stream()
              .map(Application::amount)
              .reduce(Money.zero(draft.currency()), BigDecimal::add));
      owed.add(
          new BalanceApplier.Due(
              draft.id(),
              draft.orgId(),
              draft.currency(),
              // the burns of the periods it ends by: an admin's range settles none of its last
              periods.periodStart(draft.periodEnd()),
              withTax.get(i).subtract(creditsApplied.get(i))));
    }
    // what the credits left, the prepaid balance pays (promotional credits first)
    List<BigDecimal> prepaid = BalanceApplier.apply(connection, owed, now, cause);
    FinalizedLines.store(connection, drafts, billed, credits, prepaid);
    List<InvoiceMemberAmounts.Parts> parts = new ArrayList<>();
    for (int i = 0; i < drafts.size(); i++) {
      Invoice draft = drafts.get(i);
      if (teams.contains(draft.orgId())) {
        // stored now, from the records just claimed: a finalized invoice never changes
        parts.add(
            new InvoiceMemberAmounts.Parts(draft.id(), billed.get(i).shares(draft.currency())));
      }
    }
    InvoiceMemberAmounts.store(connection, parts);
    // the numbers are taken last: their counter row is the one lock every finalization shares
    ZonedDateTime local = now.atZone(current.billingTimeZone());
    List<String> numbers = GaplessNumbers.INVOICES.take(connection, local.getYear(), drafts.size());
    List<Totals> totals = new ArrayList<>(drafts.size());
    for (int i = 0; i < drafts.size(); i++) {
      BigDecimal total = owed.get(i).amount().subtract(prepaid.get(i));
      InvoiceStatus status = total.signum() == 0 ? InvoiceStatus.PAID : InvoiceStatus.SENT;
      totals.add(
          new Totals(
              drafts.get(i).id(),
              status.value(),
              numbers.get(i),
              subtotals.get(i),
              creditsApplied.get(i),
              prepaid.get(i),
              total));
    }
    List<Invoice> finalized =
        update(connection, totals, now, local.plusDays(current.paymentTermsDays()).toInstant());
    log.info(
        "finalized {} invoices, {} to {}",
        finalized.size(),
        numbers.get(0),
        numbers.get(numbers.size() - 1));
    FinalizationNotices.audit(connection, drafts, finalized, now, cause);
    onFinalized.finalizedAll(connection, finalized);
    return new Chunk(finalized, new Left(notTaken, waiting.stream().sorted().toList()));
  }

  /** The finalize update of the chunk; answers its invoices as they now are, in id order. */
  private static List<Invoice> update(
      Connection connection, List<Totals> totals, Instant now, Instant due) throws SQLException {
    List<Invoice> finalized = new ArrayList<>(totals.size());
    try (PreparedStatement statement =
            FINALIZE
                .bind("id", SqlArrays.array(connection, totals, Totals::id))
                .bind("status", SqlArrays.array(connection, totals, Totals::status))
                .bind("number", SqlArrays.array(connection, totals, Totals::number))
                .bind("subtotal", SqlArrays.array(connection, totals, Totals::subtotal))
                .bind(
                    "credits_applied", SqlArrays.array(connection, totals, Totals::creditsApplied))
                .bind(
                    "balance_applied", SqlArrays.array(connection, totals, Totals::balanceApplied))
                .bind("total", SqlArrays.array(connection, totals, Totals::total))
                .bind("now", now)
                .bind("due_at", due)
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        finalized.add(InvoiceRepository.read(rs));
      }
    }
    finalized.sort(Comparator.comparingLong(Invoice::id));
    return finalized;
  }
}
