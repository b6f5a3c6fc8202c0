package io.streamspace.billing.invoicing;

import io.streamspace.billing.audit.AuditEntry;
import io.streamspace.billing.audit.AuditKinds;
import io.streamspace.billing.audit.AuditTrail;
import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.credits.CreditApplier;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.prepaid.BalanceApplier;
import io.streamspace.billing.rating.RatingRuns;
import io.streamspace.common.db.Transactions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The changes of a finalized invoice's status: an admin marks it paid or voids it, and the
 * finalize job marks sent invoices overdue once their due date has passed. Events are published
 * after the commit.
 *
 * <p>Voiding gives back the credits the invoice used (their {@code remaining} restored, the
 * applications kept and marked reversed) and what its prepaid balance paid (an {@code
 * invoice_voided} entry), and releases its usage records, one-time pack charges
 * and store purchases, so the period can be invoiced again: they are then billed by the next
 * invoice of the account (or an admin's invoice of that period), not lost. A void invoice keeps
 * its number and lines, for the record.
 */
public final class InvoiceStatusChanges {

  private static final NamedSql PAY =
      NamedSql.of(
          """
          UPDATE billing_invoices SET status = 'paid', paid_at = :now, status_note = :note
          WHERE id = :id""");

  private static final NamedSql VOID =
      NamedSql.of(
          """
          UPDATE billing_invoices SET status = 'void', voided_at = :now, status_note = :note
          WHERE id = :id""");

  // The voided invoice's records (those its claim covers and no earlier claim does; by the
  // primary key's (user, slice start) range) get a fresh rating run: they then look rated after
  // every claim made so far, and the account's next invoice bills them. Then the claim goes.
  private static final NamedSql RELEASE_USAGE =
      NamedSql.of(
          """
          WITH voided AS (
            SELECT claim_no, period_end, run_high FROM billing_usage_claims
            WHERE invoice_id = :invoice_id
          ),
          released AS (
            UPDATE billing_usage_records r SET rating_run = :fresh_run
            FROM voided v
            WHERE r.user_id = :user_id AND r.slice_start < v.period_end
              AND r.rating_run <= v.run_high
              AND NOT EXISTS (SELECT 1 FROM billing_usage_claims c
                              WHERE c.user_id = r.user_id AND c.claim_no < v.claim_no
                                AND r.slice_start < c.period_end AND r.rating_run <= c.run_high)
          )
          DELETE FROM billing_usage_claims WHERE invoice_id = :invoice_id""");

  private static final NamedSql RELEASE_PACK_CHARGES =
      NamedSql.of(
          "UPDATE billing_pack_events SET invoice_id = NULL WHERE invoice_id = :invoice_id");

  // the charges corrections left for the account's next invoice: the next one bills them now
  private static final NamedSql RELEASE_CORRECTION_CHARGES =
      NamedSql.of(
          "UPDATE billing_correction_charges SET invoice_id = NULL WHERE invoice_id = :invoice_id");

  // with the credits refunds of them granted: a refund committed while the release waited for
  // its purchase is seen (the row as committed), so its credit is ended too
  private static final NamedSql RELEASE_STORE_CHARGES =
      NamedSql.of(
          """
          UPDATE billing_store_purchases SET invoice_id = NULL WHERE invoice_id = :invoice_id
          RETURNING refund_credit_id""");

  private static final NamedSql CREDITED =
      NamedSql.of("SELECT 1 FROM billing_credit_notes WHERE invoice_id = :id LIMIT 1");

  private static final NamedSql MARK_OVERDUE =
      NamedSql.of(
          """
          UPDATE billing_invoices SET status = 'overdue'
          WHERE status = 'sent' AND due_at <= :now
          RETURNING %s"""
              .formatted(InvoiceRepository.COLUMNS));

  /** Told, after the commit, that an invoice of the account was paid or voided. */
  @FunctionalInterface
  public interface SettledListener {
    void settled(String orgId) throws SQLException;
  }

  private static final Logger log = LoggerFactory.getLogger(InvoiceStatusChanges.class);

  private final DataSource dataSource;
  private final BillingEvents events;
  private final SettledListener settled;

  /**
   * @param settled told of each invoice paid or voided (the read-only lock lifts when no
   *     overdue invoice is left); its failure is logged, not answered: the change is committed
   */
  public InvoiceStatusChanges(
      DataSource dataSource, BillingEvents events, SettledListener settled) {
    this.dataSource = dataSource;
    this.events = events;
    this.settled = settled;
  }

  /**
   * Moves the invoice to {@code target} ({@link InvoiceStatus#PAID} or {@link InvoiceStatus#VOID})
   * with the admin's note; empty when there is no such invoice.
   *
   * @throws IllegalTransitionException when its status does not allow it, or a void of an
   *     invoice with credit notes (what they gave back would be given back again)
   * @throws RefundCreditUsedException when a void would give back twice what a refund's credit
   *     paid of other invoices ({@link RefundCredits}): nothing changed
   */
  public Optional<Invoice> change(
      long id, InvoiceStatus target, String note, Instant now, Cause cause)
      throws SQLException, IllegalTransitionException, RefundCreditUsedException {
    // refusals are decided under the row lock and thrown after the (unchanged) transaction
    record Outcome(Invoice found, Invoice changed, boolean credited) {}
    Optional<Outcome> outcome =
        Transactions.inTransaction(
            dataSource,
            c -> {
              Optional<Invoice> invoice = InvoiceRepository.find(c, id, true);
              if (invoice.isEmpty() || !invoice.get().status().mayBecome(target)) {
                return invoice.map(i -> new Outcome(i, null, false));
              }
              if (target == InvoiceStatus.VOID && credited(c, id)) {
                return invoice.map(i -> new Outcome(i, null, true));
              }
              if (target == InvoiceStatus.PAID) {
                pay(c, invoice.get(), note, now);
              } else {
                voidIt(c, invoice.get(), note, now, cause);
              }
              Invoice changed = InvoiceRepository.find(c, id, false).orElseThrow();
              audit(c, invoice.get(), changed, now, cause);
              return Optional.of(new Outcome(invoice.get(), changed, false));
            });
    if (outcome.isEmpty()) {
      return Optional.empty();
    }
    Invoice changed = outcome.get().changed();
    if (outcome.get().credited()) {
      throw new IllegalTransitionException(
          outcome.get().found().status(),
          "an invoice with credit notes is never voided: issue a credit note for what it still"
              + " holds instead");
    }
    if (changed == null) {
      throw new IllegalTransitionException(outcome.get().found().status(), target);
    }
    announce(changed);
    return Optional.of(changed);
  }

  /**
   * Marks the invoice paid inside the caller's transaction (a Stripe payment recorded with it);
   * the caller calls {@link #announce} with the answer once it has committed. Empty when there
   * is no such invoice or its status does not allow it (already paid, void, a draft).
   */
  public Optional<Invoice> payInTransaction(
      Connection c, long id, String note, Instant paidAt, Cause cause) throws SQLException {
    Optional<Invoice> invoice = InvoiceRepository.find(c, id, true);
    if (invoice.isEmpty() || !invoice.get().status().mayBecome(InvoiceStatus.PAID)) {
      return Optional.empty();
    }
    pay(c, invoice.get(), note, paidAt);
    Invoice paid = InvoiceRepository.find(c, id, false).orElseThrow();
    audit(c, invoice.get(), paid, paidAt, cause);
    return Optional.of(paid);
  }

  private static boolean credited(Connection c, long id) throws SQLException {
    try (PreparedStatement statement = CREDITED.bind("id", id).prepare(c);
        ResultSet rs = statement.executeQuery()) {
      return rs.next();
    }
  }

  /** The change's entry: {@code invoice.paid} or {@code invoice.voided}, before and after. */
  private static void audit(Connection c, Invoice before, Invoice after, Instant at, Cause cause)
      throws SQLException {
    String kind =
        after.status() == InvoiceStatus.PAID
            ? AuditKinds.INVOICE_PAID
            : after.status() == InvoiceStatus.VOID
                ? AuditKinds.INVOICE_VOIDED
                : AuditKinds.INVOICE_OVERDUE;
    AuditTrail.record(
        c,
        new AuditEntry(
            at, cause, after.orgId(), kind, after.subject(), before.audited(), after.audited()));
  }

  /**
   * After the commit of a change to paid or void: {@code billing.invoice.paid} for a paid one,
   * and the settled listener (the read-only lock lifts).
   */
  public void announce(Invoice changed) {
    if (changed.status() == InvoiceStatus.PAID) {
      events.invoicePaid(changed.event());
    }
    try {
      settled.settled(changed.orgId());
    } catch (SQLException | RuntimeException e) {
      log.warn(
          "invoice {} settled; its account is unlocked by the next check-quotas", changed.id(), e);
    }
  }

  private static void pay(Connection c, Invoice invoice, String note, Instant now)
      throws SQLException {
    PAY.bind("now", now).bind("note", note).bind("id", invoice.id()).update(c);
  }

  private static void voidIt(Connection c, Invoice invoice, String note, Instant now, Cause cause)
      throws SQLException, RefundCreditUsedException {
    // the released records' run, taken as a rating run takes its own and before any account
    // lock (RatingRuns): a run holds its lock while it updates account rows
    long freshRun = RatingRuns.begin(c);
    // the account lock first, as finalization takes it before consuming credits: giving them
    // back without it could deadlock with a finalization locking them in consumption order
    FinalizationLocks.account(c, invoice.orgId());
    VOID.bind("now", now).bind("note", note).bind("id", invoice.id()).update(c);
    CreditApplier.giveBack(c, invoice.id(), now);
    BalanceApplier.giveBack(c, invoice.id(), now, cause);
    RELEASE_USAGE
        .bind("user_id", invoice.orgId())
        .bind("invoice_id", invoice.id())
        .bind("fresh_run", freshRun)
        .update(c);
    RELEASE_PACK_CHARGES.bind("invoice_id", invoice.id()).update(c);
    RELEASE_CORRECTION_CHARGES.bind("invoice_id", invoice.id()).update(c);
    List<Long> refundCredits = new ArrayList<>();
    try (PreparedStatement statement =
            RELEASE_STORE_CHARGES.bind("invoice_id", invoice.id()).prepare(c);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        long credit = rs.getLong(1);
        if (!rs.wasNull()) {
          refundCredits.add(credit);
        }
      }
    }
    RefundCredits.endAtVoid(c, refundCredits, invoice.id(), now, cause);
  }

  /**
   * Marks every sent invoice whose due date has passed at {@code now} overdue, with their {@code
   * invoice.overdue} entries (one statement for them all); says how many.
   */
  public int markOverdue(Instant now, Cause cause) throws SQLException {
    List<Invoice> overdue =
        Transactions.inTransaction(
            dataSource,
            connection -> {
              List<Invoice> marked = new ArrayList<>();
              try (PreparedStatement statement = MARK_OVERDUE.bind("now", now).prepare(connection);
                  ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                  marked.add(InvoiceRepository.read(rs));
                }
              }
              List<AuditEntry> entries = new ArrayList<>(marked.size());
              for (Invoice invoice : marked) {
                Map<String, Object> before = invoice.audited();
                before.put("status", InvoiceStatus.SENT.value());
                entries.add(
                    new AuditEntry(
                        now,
                        cause,
                        invoice.orgId(),
                        AuditKinds.INVOICE_OVERDUE,
                        invoice.subject(),
                        before,
                        invoice.audited()));
              }
              AuditTrail.recordAll(connection, entries);
              return marked;
            });
    overdue.forEach(invoice -> events.invoiceOverdue(invoice.event()));
    return overdue.size();
  }
}
