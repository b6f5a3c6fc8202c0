package io.streamspace.billing.invoicing;

import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.rating.RatingRuns;
import io.streamspace.common.db.Transactions;
import io.streamspace.plugin.api.metrics.PluginMetrics;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * Finalizes drafts, a chunk at a time ({@link #CHUNK} drafts per transaction, each step one
 * statement for the whole chunk: {@link ChunkFinalization}): claims the usage, stores the charge
 * lines (and a team organization's breakdown by member, {@link MemberShares}), applies credits
 * and then the prepaid balance, assigns the next gapless numbers (one batch per chunk, in draft
 * id order) and sets the due date; each invoice is then {@code sent}, or {@code paid} at once
 * when its total is zero, and {@link OnFinalized} runs (queueing its collection). Events are
 * published after the commit. A crash half-way rolls the chunk back to drafts with nothing
 * claimed, no credit or balance spent, no number taken and nothing queued; the next run
 * finalizes them. An invoice that cannot be finalized fails its chunk, whose drafts are then
 * finalized one by one, so that it alone stays a draft ({@link FinalizationRuns}).
 *
 * <p>An account's drafts are finalized in id order, also across chunks, runs and failures: the
 * first of them to claim the account's usage takes every record before its period's end, so a
 * later draft finalized while an earlier one is still a draft (held by another run, not yet
 * due, or failed) would bill the earlier period's usage. Such a draft waits: it stays a draft
 * until its account's earlier drafts are finalized or voided ({@link
 * Finalization#waitingForEarlier}).
 *
 * <p>{@link #WORKERS} chunks run at once ({@link ChunkWorkers}), as two runs would. Locks, always
 * in this order, so that two chunks or two runs (two nodes, or generate-invoices and the
 * scheduled finalize-invoices) never deadlock: the chunk's drafts by id, then their accounts by
 * user_id, then the accounts' credits, then their prepaid balances ({@code BalanceApplier}), then
 * the year's number counter (last, as it is the one row
 * every finalization shares; {@link FinalizationLocks}). An admin's void and {@code invoiceNow}
 * lock one invoice and one account, and hold no draft of a chunk when they wait for an account.
 *
 * <p>With {@code stripeTax}, the tax of the drafts is calculated first, outside any transaction
 * ({@link InvoiceTaxes}), and each is finalized with it only while its lines are those it was
 * calculated for ({@link TaxAtFinalization}).
 */
public final class InvoiceFinalizer {

  /**
   * Drafts finalized per transaction. Every step costs one statement per chunk, so the cost per
   * invoice falls with the chunk's size until the statements' own work dominates. Measured with
   * {@code FinalizationBenchmark} (1,000 accounts without usage, a busy 2-core machine): 21.1 ms
   * an invoice one at a time, 1.31 ms in chunks of 50, 1.33 ms of 250, 1.86 ms of 1,000 (the
   * drafts' lock and the finalize update grow with the chunk). 250 keeps the transactions few
   * once the usage step is one statement too, while a failed chunk, finalized again one by one,
   * stays short.
   */
  static final int CHUNK = 250;

  /**
   * Chunks finalized at once, each on its own connection. One chunk at a time keeps one core
   * busy: while PostgreSQL runs a statement the Java side waits, and the other way round. The
   * chunks of one run share nothing until the number counter, which they take last.
   */
  static final int WORKERS = 2;

  /** The audit trail's cause of the finalize-invoices job's finalizations. */
  public static final Cause BY_JOB = Cause.job("finalize-invoices");

  private static final NamedSql DUE =
      NamedSql.of(
          """
          SELECT id FROM billing_invoices WHERE status = 'draft' AND finalize_after <= :now
          ORDER BY id""");

  /** What else a finalization does in its transaction (queue the invoice's collection). */
  public interface OnFinalized {
    void finalized(Connection connection, Invoice invoice) throws SQLException;

    /** {@link #finalized} of each invoice of a chunk; one statement where it can. */
    default void finalizedAll(Connection connection, List<Invoice> invoices) throws SQLException {
      for (Invoice invoice : invoices) {
        finalized(connection, invoice);
      }
    }
  }

  /**
   * How a run cuts its drafts: {@code drafts} per transaction, {@code workers} chunks at once
   * (tests and benchmarks choose others than {@link #DEFAULT}).
   */
  public record Chunking(int drafts, int workers) {
    /** {@link #CHUNK} drafts per transaction, {@link #WORKERS} chunks at once. */
    public static final Chunking DEFAULT = new Chunking(CHUNK, WORKERS);
  }

  private final DataSource dataSource;
  private final Supplier<BillingConfig> config;
  private final InvoiceTaxes taxes;
  private final ChunkFinalization chunks;
  private final FinalizationNotices notices;
  private final FinalizationRuns runs;

  /**
   * @param metrics where finalized invoices are counted, by currency
   * @param taxes calculates the drafts' tax before they are finalized with {@code stripeTax};
   *     null when none is wired (then no draft is finalized while stripeTax is on)
   */
  public InvoiceFinalizer(
      DataSource dataSource,
      InvoiceCalculator calculator,
      BillingEvents events,
      Supplier<BillingConfig> config,
      OnFinalized onFinalized,
      PluginMetrics metrics,
      InvoiceTaxes taxes,
      Chunking chunking) {
    this.dataSource = dataSource;
    this.config = config;
    this.taxes = taxes;
    this.chunks = new ChunkFinalization(calculator, config, onFinalized);
    this.notices = new FinalizationNotices(events, metrics);
    this.runs =
        new FinalizationRuns(dataSource, chunks, notices, chunking.drafts(), chunking.workers());
  }

  /**
   * Finalizes every draft whose grace has passed at {@code now}, a chunk at a time; answers how
   * many, and how many of those listed as due another run finalized or voided first (an
   * overlapping run shares the work: it skips the drafts the other holds, and waits for them
   * only at its end, to see whether the other finalized them). One invoice that fails (rolled
   * back, left a draft) does not hold up the others: its chunk is finalized again one by one,
   * the run goes on and fails at the end, naming how many it could not finalize.
   */
  public Finalization finalizeDue(Instant now, Cause cause) throws SQLException {
    List<Long> due = dueDrafts(now);
    if (!config.get().stripeTax() || due.isEmpty()) {
      return finalizeAll(due, now, cause);
    }
    // the tax first, outside any transaction: no call to Stripe while a draft is locked
    InvoiceTaxes.Prepared prepared = preparedTaxes(due, now);
    Finalization done =
        finalizeAll(due.stream().filter(prepared.ready()::contains).toList(), now, cause);
    return new Finalization(
        done.finalized(),
        done.doneByOthers(),
        done.waitingForTax() + prepared.failed(),
        done.waitingForEarlier());
  }

  private InvoiceTaxes.Prepared preparedTaxes(List<Long> due, Instant now) throws SQLException {
    if (taxes == null) {
      throw new IllegalStateException("stripeTax is on but no tax calculation is wired");
    }
    return taxes.calculate(due, now, runs.chunk());
  }

  /** {@link #finalizeDue(Instant, Cause)} as the finalize-invoices job. */
  public Finalization finalizeDue(Instant now) throws SQLException {
    return finalizeDue(now, BY_JOB);
  }

  /** {@link #finalizeAll(List, Instant, Cause)} as the finalize-invoices job. */
  Finalization finalizeAll(List<Long> due, Instant now) throws SQLException {
    return finalizeAll(due, now, BY_JOB);
  }

  /** {@link #finalizeDraft(Connection, long, Instant, Cause, long)} as the job. */
  Optional<Invoice> finalizeDraft(Connection connection, long id, Instant now, long settledRun)
      throws SQLException {
    return finalizeDraft(connection, id, now, BY_JOB, settledRun);
  }

  /** {@link #finalizeDue} of the drafts of {@code due}, in their order. */
  Finalization finalizeAll(List<Long> due, Instant now, Cause cause) throws SQLException {
    return runs.finalizeAll(due, now, cause);
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
   * Finalizes the draft in the caller's transaction (a chunk of one); empty when it is no longer
   * a draft (another run or node finalized or voided it first: the row lock makes it wait, then
   * it sees that). Its usage is claimed up to {@code settledRun} ({@link RatingRuns#settled},
   * read before this transaction took any account lock).
   */
  Optional<Invoice> finalizeDraft(
      Connection connection, long id, Instant now, Cause cause, long settledRun)
      throws SQLException {
    return chunks
        .finalize(connection, List.of(id), now, cause, settledRun, false)
        .finalized()
        .stream()
        .findFirst();
  }

  /**
   * Opens and finalizes at once an invoice of {@code [start, end)} for the account (an admin's
   * invoice), in one transaction.
   *
   * @throws InvoiceExistsException when the account has an invoice overlapping the period
   * @throws EarlierDraftException when the account has a draft: it is finalized first
   */
  public Invoice invoiceNow(
      String orgId, Currency currency, Instant start, Instant end, Instant now, Cause cause)
      throws SQLException, InvoiceExistsException, EarlierDraftException {
    if (config.get().stripeTax()) {
      return invoiceNowTaxed(orgId, currency, start, end, now, cause);
    }
    Invoice invoice;
    long settledRun = RatingRuns.settled(dataSource); // before the account's lock
    try {
      invoice =
          Transactions.inTransaction(
              dataSource,
              c -> {
                long id = InvoiceDrafts.open(c, orgId, currency, start, end, now, now, cause);
                Optional<Invoice> finalized = finalizeDraft(c, id, now, cause, settledRun);
                if (finalized.isEmpty()) {
                  // a draft of the account opened before this one committed since open() looked
                  // (generate-invoices'): refused as open() refuses, rolled back
                  InvoiceDrafts.refuseAfterADraft(c, orgId, id);
                }
                return finalized.orElseThrow();
              });
    } catch (SQLException e) {
      if (!InvoiceDrafts.isOverlap(e)) {
        throw e;
      }
      throw new InvoiceExistsException(
          new InvoiceDrafts(dataSource).overlapping(orgId, start, end).orElse(null));
    }
    notices.published(List.of(invoice));
    return invoice;
  }

  /**
   * {@link #invoiceNow} with stripeTax: the draft is opened in a transaction of its own, its tax
   * calculated outside any, and then it is finalized; answered still a draft (due at once, so the
   * next finalize-invoices retries it) when its tax could not be calculated or its lines changed
   * in between.
   */
  private Invoice invoiceNowTaxed(
      String orgId, Currency currency, Instant start, Instant end, Instant now, Cause cause)
      throws SQLException, InvoiceExistsException, EarlierDraftException {
    long id;
    try {
      id =
          Transactions.inTransaction(
              dataSource, c -> InvoiceDrafts.open(c, orgId, currency, start, end, now, now, cause));
    } catch (SQLException e) {
      if (!InvoiceDrafts.isOverlap(e)) {
        throw e;
      }
      throw new InvoiceExistsException(
          new InvoiceDrafts(dataSource).overlapping(orgId, start, end).orElse(null));
    }
    preparedTaxes(List.of(id), now);
    long settledRun = RatingRuns.settled(dataSource);
    runs.finalizeOne(id, now, cause, settledRun);
    try (Connection connection = dataSource.getConnection()) {
      return InvoiceRepository.find(connection, id, false).orElseThrow();
    }
  }
}
