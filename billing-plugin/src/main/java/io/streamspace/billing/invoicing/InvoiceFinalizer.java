package io.streamspace.billing.invoicing;

import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.credits.CreditApplier;
import io.streamspace.billing.credits.CreditApplier.Application;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.Transactions;
import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.money.Money;
import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Currency;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finalizes drafts, a batch of them in a transaction: claims each one's usage, stores its charge
 * lines, applies its credits; then the batch takes its gapless numbers, in draft order, and sets
 * the due dates; each invoice is then {@code sent}, or {@code paid} at once when its total is
 * zero, and {@link OnFinalized} runs (queueing its collection). Events are published after the
 * commit. A crash half-way rolls the batch back to drafts with nothing claimed, no credit spent,
 * no number taken and nothing queued; the next run finalizes them.
 */
public final class InvoiceFinalizer {

  private static final Logger log = LoggerFactory.getLogger(InvoiceFinalizer.class);

  private static final NamedSql DUE =
      NamedSql.of(
          """
          SELECT id FROM billing_invoices WHERE status = 'draft' AND finalize_after <= :now
          ORDER BY id""");

  // Finalizations of one account take turns (two of them, say the job and an admin's invoice,
  // would otherwise race for the same unbilled records). NO KEY UPDATE: rows that merely
  // reference the account (credits being granted) need not wait.
  private static final NamedSql LOCK_ACCOUNT =
      NamedSql.of("SELECT 1 FROM billing_accounts WHERE user_id = :user_id FOR NO KEY UPDATE");

  private static final NamedSql LINE =
      NamedSql.of(
          """
          INSERT INTO billing_invoice_lines (invoice_id, line_no, kind, description,
              resource_type, quantity, unit, unit_price, amount, period_start, period_end)
          VALUES (:invoice_id, :line_no, :kind, :description, :resource_type, :quantity, :unit,
                  :unit_price, :amount, :period_start, :period_end)""");

  private static final int BATCH = 250;

  private static final NamedSql LOCK_DRAFTS =
      NamedSql.of(
          """
          SELECT %s FROM billing_invoices
          WHERE id = ANY (:ids::bigint[]) AND status = 'draft'
          ORDER BY id FOR UPDATE"""
              .formatted(InvoiceRepository.COLUMNS));

  // every settled draft of the batch at once: the arrays hold one element per draft
  private static final NamedSql FINALIZE =
      NamedSql.of(
          """
          UPDATE billing_invoices i
          SET status = f.new_status, invoice_number = f.new_number, subtotal = f.new_subtotal,
              credits_applied = f.new_applied, total = f.new_total, finalized_at = :now,
              due_at = :due_at,
              paid_at = CASE WHEN f.new_status = 'paid' THEN :now::timestamptz END
          FROM unnest(:ids::bigint[], :statuses::text[], :numbers::text[],
                      :subtotals::numeric[], :applied::numeric[], :totals::numeric[])
              AS f(draft_id, new_status, new_number, new_subtotal, new_applied, new_total)
          WHERE i.id = f.draft_id
          RETURNING %s"""
              .formatted(InvoiceRepository.COLUMNS));

  /** What else a finalization does in its transaction (queue the invoice's collection). */
  public interface OnFinalized {
    void finalized(Connection connection, Invoice invoice) throws SQLException;
  }

  private final DataSource dataSource;
  private final InvoiceCalculator calculator;
  private final BillingEvents events;
  private final Supplier<BillingConfig> config;
  private final OnFinalized onFinalized;

  public InvoiceFinalizer(
      DataSource dataSource,
      InvoiceCalculator calculator,
      BillingEvents events,
      Supplier<BillingConfig> config,
      OnFinalized onFinalized) {
    this.dataSource = dataSource;
    this.calculator = calculator;
    this.events = events;
    this.config = config;
    this.onFinalized = onFinalized;
  }

  /**
   * Finalizes every draft whose grace has passed at {@code now}, {@value #BATCH} a transaction;
   * answers how many. One invoice that fails does not hold up the others: its batch is rolled
   * back and its drafts finalized again one a transaction, so that only the bad one is left a
   * draft; the run goes on and fails at the end, naming how many it could not finalize.
   */
  public int finalizeDue(Instant now) throws SQLException {
    int finalized = 0;
    SQLException failure = null;
    List<Long> due = dueDrafts(now);
    for (int from = 0; from < due.size(); from += BATCH) {
      List<Long> batch = due.subList(from, Math.min(due.size(), from + BATCH));
      try {
        finalized += finalizeAndPublish(batch, now);
        continue;
      } catch (SQLException | RuntimeException e) {
        // the one that fails again below is logged with its error then
        log.debug(
            "a batch of {} invoices failed ({}); finalizing them one by one",
            batch.size(),
            e.toString());
      }
      for (long id : batch) {
        try {
          finalized += finalizeAndPublish(List.of(id), now);
        } catch (SQLException | RuntimeException e) {
          log.error("could not finalize invoice {}; it stays a draft", id, e);
          if (failure == null) {
            failure = new SQLException("some invoices could not be finalized");
          }
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw new SQLException(
          "%d invoices could not be finalized (%d were)"
              .formatted(failure.getSuppressed().length, finalized),
          failure);
    }
    return finalized;
  }

  /** Finalizes the drafts in one transaction, then publishes; answers how many it finalized. */
  private int finalizeAndPublish(List<Long> ids, Instant now) throws SQLException {
    List<Invoice> finalized =
        Transactions.inTransaction(dataSource, c -> finalizeDrafts(c, ids, now));
    finalized.forEach(this::publishFinalized);
    return finalized.size();
  }

  /**
   * Opens and finalizes at once an invoice of {@code [start, end)} for the account (an admin's
   * invoice), in one transaction.
   *
   * @throws InvoiceExistsException when the account has an invoice overlapping the period
   */
  public Invoice invoiceNow(
      String userId, Currency currency, Instant start, Instant end, Instant now)
      throws SQLException, InvoiceExistsException {
    Invoice invoice;
    try {
      invoice =
          Transactions.inTransaction(
              dataSource,
              c ->
                  finalizeDraft(
                          c, InvoiceDrafts.open(c, userId, currency, start, end, now, now), now)
                      .orElseThrow());
    } catch (SQLException e) {
      if (!InvoiceDrafts.isOverlap(e)) {
        throw e;
      }
      throw new InvoiceExistsException(
          new InvoiceDrafts(dataSource).overlapping(userId, start, end).orElse(null));
    }
    publishFinalized(invoice);
    return invoice;
  }

  /** Tells of a finalized invoice and, when there was nothing to pay, of its payment. */
  private void publishFinalized(Invoice invoice) {
    events.invoiceCreated(invoice.event());
    if (invoice.status() == InvoiceStatus.PAID) {
      events.invoicePaid(invoice.event());
    }
  }

  /**
   * Locks the account's row for the transaction: whatever consumes or gives back its credits
   * (finalizing, voiding) takes it first, so they never lock credits in clashing orders.
   */
  static void lockAccount(Connection connection, String userId) throws SQLException {
    try (PreparedStatement lock = LOCK_ACCOUNT.bind("user_id", userId).prepare(connection)) {
      lock.executeQuery().close();
    }
  }

  private List<Long> dueDrafts(Instant now) throws SQLException {
    List<Long> ids = new ArrayList<>();
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = DUE.bind("now", now).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        ids.add(rs.getLong(1));
      }
    }
    return ids;
  }

  /**
   * Finalizes the draft in the caller's transaction; empty when it is no longer a draft (another
   * run or node finalized or voided it first: the row lock makes it wait, then it sees that).
   */
  Optional<Invoice> finalizeDraft(Connection connection, long id, Instant now) throws SQLException {
    return finalizeDrafts(connection, List.of(id), now).stream().findFirst();
  }

  /**
   * Finalizes those of the drafts (ids ascending) that are still drafts, in the caller's
   * transaction; answers them finalized, in id order. Their rows are locked first, all at once
   * and in id order, before any account: so a concurrent void (invoice, then account) waits
   * rather than deadlocks. Their numbers are taken last, together, in id order.
   */
  List<Invoice> finalizeDrafts(Connection connection, List<Long> ids, Instant now)
      throws SQLException {
    List<Settled> settled = new ArrayList<>();
    for (Invoice draft : lockDrafts(connection, ids)) {
      settled.add(settle(connection, draft, now));
    }
    if (settled.isEmpty()) {
      return List.of();
    }
    List<Invoice> finalized = number(connection, settled, now);
    for (Invoice invoice : finalized) {
      log.info(
          "finalized invoice {} ({}) for {}: {} {}",
          invoice.id(),
          invoice.invoiceNumber(),
          invoice.userId(),
          invoice.total(),
          invoice.currency());
      onFinalized.finalized(connection, invoice);
    }
    return finalized;
  }

  private List<Invoice> lockDrafts(Connection connection, List<Long> ids) throws SQLException {
    List<Invoice> drafts = new ArrayList<>();
    try (PreparedStatement statement =
            LOCK_DRAFTS
                .bind("ids", connection.createArrayOf("bigint", ids.toArray()))
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        drafts.add(InvoiceRepository.read(rs));
      }
    }
    return drafts;
  }

  /** What a draft's finalization settled before its number: its totals, lines and credits. */
  private record Settled(Invoice draft, BigDecimal subtotal, BigDecimal applied) {

    BigDecimal total() {
      return subtotal.subtract(applied);
    }

    InvoiceStatus status() {
      return total().signum() == 0 ? InvoiceStatus.PAID : InvoiceStatus.SENT;
    }
  }

  /** Claims the draft's usage, applies its credits and stores its lines. */
  private Settled settle(Connection connection, Invoice draft, Instant now) throws SQLException {
    lockAccount(connection, draft.userId());
    List<ChargeLine> charges = calculator.charges(connection, draft, true);
    BigDecimal subtotal =
        charges.stream()
            .map(ChargeLine::amount)
            .reduce(Money.zero(draft.currency()), BigDecimal::add);
    List<Application> credits =
        CreditApplier.apply(
            connection, draft.id(), draft.userId(), draft.currency(), subtotal, now);
    BigDecimal applied =
        credits.stream()
            .map(Application::amount)
            .reduce(Money.zero(draft.currency()), BigDecimal::add);
    storeLines(connection, draft, charges, credits);
    return new Settled(draft, subtotal, applied);
  }

  /**
   * Takes the next numbers (one counter update: its row is the one lock every finalization
   * shares, so it comes last) and finalizes the settled drafts with them, in one statement that
   * answers the rows as stored.
   */
  private List<Invoice> number(Connection connection, List<Settled> settled, Instant now)
      throws SQLException {
    BillingConfig current = config.get();
    List<String> numbers =
        InvoiceNumbers.next(
            connection, now.atZone(current.billingTimeZone()).getYear(), settled.size());
    Instant due =
        now.atZone(current.billingTimeZone()).plusDays(current.paymentTermsDays()).toInstant();
    List<Invoice> finalized = new ArrayList<>(settled.size());
    try (PreparedStatement statement =
            FINALIZE
                .bind("ids", array(connection, "bigint", settled, s -> s.draft().id()))
                .bind("statuses", array(connection, "text", settled, s -> s.status().value()))
                .bind("numbers", connection.createArrayOf("text", numbers.toArray()))
                .bind("subtotals", array(connection, "text", settled, s -> s.subtotal()))
                .bind("applied", array(connection, "text", settled, s -> s.applied()))
                .bind("totals", array(connection, "text", settled, s -> s.total()))
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

  /** A SQL array of one field of each settled draft; amounts go as their exact plain text. */
  private static Array array(
      Connection connection, String type, List<Settled> settled, Function<Settled, Object> field)
      throws SQLException {
    return connection.createArrayOf(
        type,
        settled.stream()
            .map(field)
            .map(v -> v instanceof BigDecimal amount ? amount.toPlainString() : v)
            .toArray());
  }

  private static void storeLines(
      Connection connection, Invoice draft, List<ChargeLine> charges, List<Application> credits)
      throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(LINE.jdbcSql())) {
      int lineNo = 0;
      for (ChargeLine c : charges) {
        LINE.bind("invoice_id", draft.id())
            .bind("line_no", ++lineNo)
            .bind("kind", c.kind().name().toLowerCase(Locale.ROOT))
            .bind("description", c.description())
            .bind("resource_type", c.unit() == null ? null : c.unit().resourceType())
            .bind("quantity", c.quantity())
            .bind("unit", c.unit() == null ? null : c.unit().label())
            .bind("unit_price", c.unitPrice())
            .bind("amount", c.amount())
            .bind("period_start", c.from())
            .bind("period_end", c.to())
            .addBatch(statement);
      }
      for (Application a : credits) {
        LINE.bind("invoice_id", draft.id())
            .bind("line_no", ++lineNo)
            .bind("kind", "credit")
            .bind("description", "Credit: " + a.reason())
            .bind("resource_type", null)
            .bind("quantity", null)
            .bind("unit", null)
            .bind("unit_price", null)
            .bind("amount", a.amount().negate())
            .bind("period_start", draft.periodStart())
            .bind("period_end", draft.periodEnd())
            .addBatch(statement);
      }
      statement.executeBatch();
    }
  }
}
