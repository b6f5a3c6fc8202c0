package io.streamspace.billing.invoicing;

import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.credits.CreditApplier;
import io.streamspace.billing.credits.CreditApplier.Application;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.money.Money;
import io.streamspace.billing.rating.MemberUsageRepository;
import io.streamspace.billing.rating.RatingRuns;
import io.streamspace.common.db.Transactions;
import io.streamspace.plugin.api.metrics.PluginMetrics;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finalizes drafts, each in its own transaction: claims the usage, stores the charge lines (and
 * a team organization's breakdown by member, {@link MemberShares}), applies credits, assigns the
 * next gapless number and sets the due date; the invoice is then {@code sent}, or {@code paid} at
 * once when its total is zero, and {@link OnFinalized} runs (queueing its collection). Events
 * are published after the commit. A crash half-way rolls the invoice back to a draft with nothing
 * claimed, no credit spent, no number taken and nothing queued; the next run finalizes it.
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

  private static final NamedSql FINALIZE =
      NamedSql.of(
          """
          UPDATE billing_invoices
          SET status = :status, invoice_number = :number, subtotal = :subtotal,
              credits_applied = :credits_applied, total = :total, finalized_at = :now,
              due_at = :due_at, paid_at = CASE WHEN :status = 'paid' THEN :now::timestamptz END
          WHERE id = :id""");

  /** What else a finalization does in its transaction (queue the invoice's collection). */
  public interface OnFinalized {
    void finalized(Connection connection, Invoice invoice) throws SQLException;
  }

  private final DataSource dataSource;
  private final InvoiceCalculator calculator;
  private final BillingEvents events;
  private final Supplier<BillingConfig> config;
  private final OnFinalized onFinalized;
  private final PluginMetrics metrics;

  /** @param metrics where finalized invoices are counted, by currency */
  public InvoiceFinalizer(
      DataSource dataSource,
      InvoiceCalculator calculator,
      BillingEvents events,
      Supplier<BillingConfig> config,
      OnFinalized onFinalized,
      PluginMetrics metrics) {
    this.dataSource = dataSource;
    this.calculator = calculator;
    this.events = events;
    this.config = config;
    this.onFinalized = onFinalized;
    this.metrics = metrics;
  }

  /**
   * Finalizes every draft whose grace has passed at {@code now}; answers how many, and how many
   * of those listed as due another run finalized or voided first (an overlapping run shares the
   * work: the row lock decides who takes each). One invoice that fails (rolled back, left a
   * draft) does not hold up the others: the run goes on and fails at the end, naming how many it
   * could not finalize.
   */
  public Finalization finalizeDue(Instant now) throws SQLException {
    int finalized = 0;
    int doneByOthers = 0;
    SQLException failure = null;
    List<Long> due = dueDrafts(now);
    // one settled run for the whole run: each invoice claims the usage rated up to it
    long settledRun = due.isEmpty() ? 0 : RatingRuns.settled(dataSource);
    for (long id : due) {
      try {
        Optional<Invoice> invoice =
            Transactions.inTransaction(dataSource, c -> finalizeDraft(c, id, now, settledRun));
        if (invoice.isPresent()) {
          publishFinalized(invoice.get());
          finalized++;
        } else {
          doneByOthers++;
        }
      } catch (SQLException | RuntimeException e) {
        log.error("could not finalize invoice {}; it stays a draft", id, e);
        if (failure == null) {
          failure = new SQLException("some invoices could not be finalized");
        }
        failure.addSuppressed(e);
      }
    }
    if (failure != null) {
      throw new SQLException(
          "%d invoices could not be finalized (%d were)"
              .formatted(failure.getSuppressed().length, finalized),
          failure);
    }
    return new Finalization(finalized, doneByOthers);
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
    long settledRun = RatingRuns.settled(dataSource); // before the account's lock
    try {
      invoice =
          Transactions.inTransaction(
              dataSource,
              c ->
                  finalizeDraft(
                          c,
                          InvoiceDrafts.open(c, userId, currency, start, end, now, now),
                          now,
                          settledRun)
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

  /**
   * Tells of a finalized invoice and, when there was nothing to pay, of its payment; counts it.
   */
  private void publishFinalized(Invoice invoice) {
    metrics
        .counter("invoices.finalized", "currency", invoice.currency().getCurrencyCode())
        .increment();
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
   * Its usage is claimed up to {@code settledRun} ({@link RatingRuns#settled}, read before this
   * transaction took any account lock).
   */
  Optional<Invoice> finalizeDraft(Connection connection, long id, Instant now, long settledRun)
      throws SQLException {
    Optional<Invoice> locked =
        InvoiceRepository.find(connection, id, true).filter(i -> i.status() == InvoiceStatus.DRAFT);
    if (locked.isEmpty()) {
      return Optional.empty();
    }
    Invoice draft = locked.get();
    BillingConfig current = config.get();
    lockAccount(connection, draft.userId());
    boolean team = MemberUsageRepository.isTeam(connection, draft.userId());
    InvoiceCalculator.Billed billed = calculator.charges(connection, draft, settledRun, team);
    List<ChargeLine> charges = billed.lines();
    BigDecimal subtotal =
        charges.stream()
            .map(ChargeLine::amount)
            .reduce(Money.zero(draft.currency()), BigDecimal::add);
    List<Application> credits =
        CreditApplier.apply(connection, id, draft.userId(), draft.currency(), subtotal, now);
    BigDecimal applied =
        credits.stream()
            .map(Application::amount)
            .reduce(Money.zero(draft.currency()), BigDecimal::add);
    storeLines(connection, draft, charges, credits);
    if (team) {
      // stored now, from the records just claimed: a finalized invoice never changes
      InvoiceMemberAmounts.store(connection, id, billed.shares(draft.currency()));
    }
    BigDecimal total = subtotal.subtract(applied);
    // the number is taken last: its counter row is the one lock every finalization shares
    String number =
        InvoiceNumbers.next(connection, now.atZone(current.billingTimeZone()).getYear());
    InvoiceStatus status = total.signum() == 0 ? InvoiceStatus.PAID : InvoiceStatus.SENT;
    Instant due =
        now.atZone(current.billingTimeZone()).plusDays(current.paymentTermsDays()).toInstant();
    FINALIZE
        .bind("status", status.value())
        .bind("number", number)
        .bind("subtotal", subtotal)
        .bind("credits_applied", applied)
        .bind("total", total)
        .bind("now", now)
        .bind("due_at", due)
        .bind("id", id)
        .update(connection);
    log.info(
        "finalized invoice {} ({}) for {}: {} {}",
        id,
        number,
        draft.userId(),
        total,
        draft.currency());
    Optional<Invoice> finalized = InvoiceRepository.find(connection, id, false);
    if (finalized.isPresent()) {
      onFinalized.finalized(connection, finalized.get());
    }
    return finalized;
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
