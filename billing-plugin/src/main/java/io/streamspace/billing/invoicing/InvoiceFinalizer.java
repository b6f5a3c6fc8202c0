package io.streamspace.billing.invoicing;

import io.streamspace.billing.audit.AuditEntry;
import io.streamspace.billing.audit.AuditKinds;
import io.streamspace.billing.audit.AuditTrail;
import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.credits.CreditApplier;
import io.streamspace.billing.credits.CreditApplier.Application;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.events.InvoiceEvent;
import io.streamspace.billing.money.Money;
import io.streamspace.billing.rating.RatingRuns;
import io.streamspace.billing.tax.LinesHash;
import io.streamspace.billing.tax.TaxBehavior;
import io.streamspace.common.db.Transactions;
import io.streamspace.plugin.api.metrics.PluginMetrics;
import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Currency;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finalizes drafts, a chunk at a time ({@link #CHUNK} drafts per transaction, each step one
 * statement for the whole chunk): claims the usage, stores the charge lines (and a team
 * organization's breakdown by member, {@link MemberShares}), applies credits, assigns the next
 * gapless numbers (one batch per chunk, in draft id order) and sets the due date; each invoice
 * is then {@code sent}, or {@code paid} at once when its total is zero, and {@link OnFinalized}
 * runs (queueing its collection). Events are published after the commit. A crash half-way rolls the
 * chunk back to drafts with nothing claimed, no credit spent, no number taken and nothing
 * queued; the next run finalizes them. An invoice that cannot be finalized fails its chunk,
 * whose drafts are then finalized one by one, so that it alone stays a draft.
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
 * user_id, then the accounts' credits, then the year's number counter (last, as it is the one row
 * every finalization shares). An admin's void and {@code invoiceNow} lock one invoice and one
 * account, and hold no draft of a chunk when they wait for an account.
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

  private static final Logger log = LoggerFactory.getLogger(InvoiceFinalizer.class);

  /** The audit trail's cause of the finalize-invoices job's finalizations. */
  public static final Cause BY_JOB = Cause.job("finalize-invoices");

  private static final NamedSql DUE =
      NamedSql.of(
          """
          SELECT id FROM billing_invoices WHERE status = 'draft' AND finalize_after <= :now
          ORDER BY id""");

  private static final NamedSql ACCOUNTS_OF =
      NamedSql.of("SELECT id, user_id FROM billing_invoices WHERE id = ANY(:id::text[]::bigint[])");

  // A chunk's drafts, locked in id order; those another run holds are skipped (it is finalizing
  // them: the two runs share the work instead of waiting for each other), and looked at again
  // waiting, at the end of the run (LOCK_DRAFTS_WAITING), in case that run failed or died.
  private static final NamedSql LOCK_DRAFTS_SKIPPING =
      NamedSql.of(
          """
          SELECT %s FROM billing_invoices
          WHERE id = ANY(:id::text[]::bigint[]) AND status = 'draft'
          ORDER BY id FOR UPDATE SKIP LOCKED"""
              .formatted(InvoiceRepository.COLUMNS));

  private static final NamedSql LOCK_DRAFTS_WAITING =
      NamedSql.of(
          """
          SELECT %s FROM billing_invoices
          WHERE id = ANY(:id::text[]::bigint[]) AND status = 'draft'
          ORDER BY id FOR UPDATE"""
              .formatted(InvoiceRepository.COLUMNS));

  // The drafts of a chunk (its taken drafts' ids and accounts) whose account has a draft opened
  // before them outside the chunk: they wait for it. Read once the accounts are locked, so that
  // a run finalizing that earlier draft has committed (or not begun).
  private static final NamedSql WAITING_FOR_EARLIER =
      NamedSql.of(
          """
          SELECT d.id FROM unnest(:id::text[]::bigint[], :user_id::text[]) AS d(id, user_id)
          WHERE EXISTS (
            SELECT 1 FROM billing_invoices e
            WHERE e.user_id = d.user_id AND e.status = 'draft' AND e.id < d.id
              AND e.id <> ALL (:id::text[]::bigint[]))""");

  // Finalizations of one account take turns (two of them, say the job and an admin's invoice,
  // would otherwise race for the same unbilled records). NO KEY UPDATE: rows that merely
  // reference the account (credits being granted) need not wait.
  private static final NamedSql LOCK_ACCOUNT =
      NamedSql.of("SELECT 1 FROM billing_accounts WHERE user_id = :user_id FOR NO KEY UPDATE");

  // The accounts of a chunk, in user_id order (as every chunk takes them, so two never
  // deadlock), each answering whether it is a team organization's (its invoice is broken down
  // by member)
  private static final NamedSql LOCK_ACCOUNTS =
      NamedSql.of(
          """
          SELECT user_id, NOT personal FROM billing_accounts
          WHERE user_id = ANY(:user_id::text[])
          ORDER BY user_id FOR NO KEY UPDATE""");

  // every line of a chunk's invoices, one row per element of the arrays
  private static final NamedSql LINES =
      NamedSql.of(
          """
          INSERT INTO billing_invoice_lines (invoice_id, line_no, kind, description,
              resource_type, quantity, unit, unit_price, amount, period_start, period_end)
          SELECT * FROM unnest(:invoice_id::text[]::bigint[], :line_no::text[]::int[],
                               :kind::text[], :description::text[], :resource_type::text[],
                               :quantity::text[]::numeric[], :unit::text[],
                               :unit_price::text[]::numeric[], :amount::text[]::numeric[],
                               :period_start::text[]::timestamptz[],
                               :period_end::text[]::timestamptz[])""");

  // a chunk's invoices finalized, each with its number and totals, answered as they now are
  private static final NamedSql FINALIZE =
      NamedSql.of(
          """
          UPDATE billing_invoices
          SET status = f.f_status, invoice_number = f.f_number, subtotal = f.f_subtotal,
              credits_applied = f.f_applied, total = f.f_total, finalized_at = :now,
              due_at = :due_at,
              paid_at = CASE WHEN f.f_status = 'paid' THEN :now::timestamptz END
          FROM unnest(:id::text[]::bigint[], :status::text[], :number::text[],
                      :subtotal::text[]::numeric[], :credits_applied::text[]::numeric[],
                      :total::text[]::numeric[])
               AS f(f_id, f_status, f_number, f_subtotal, f_applied, f_total)
          WHERE id = f.f_id
          RETURNING %s"""
              .formatted(InvoiceRepository.COLUMNS));

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

  /** A chunk's transaction: the invoices it finalized, and the drafts it left ({@link Left}). */
  private record Chunk(List<Invoice> finalized, Left left) {}

  /** What a chunk left drafts: held by another run (or no longer drafts), and waiting. */
  private record Left(List<Long> notTaken, List<Long> waiting) {
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

  /** What a run did so far, counted by its workers. */
  private static final class Tally {
    private int finalized;
    private int doneByOthers;
    private int waitingForTax;
    private int waitingForEarlier;
    private int failed;
    private SQLException failure;

    synchronized void finalized(int invoices) {
      finalized += invoices;
    }

    synchronized void doneByOthers(int invoices) {
      doneByOthers += invoices;
    }

    synchronized void waitingForTax() {
      waitingForTax++;
    }

    synchronized void waitingForEarlier(int invoices) {
      waitingForEarlier += invoices;
    }

    synchronized void failed(Exception e, int invoices) {
      if (failure == null) {
        failure = new SQLException("some invoices could not be finalized");
      }
      failure.addSuppressed(e);
      failed += invoices;
    }

    synchronized int failed() {
      return failed;
    }

    synchronized SQLException failure() {
      return failure;
    }

    synchronized Finalization finalization() {
      return new Finalization(finalized, doneByOthers, waitingForTax, waitingForEarlier);
    }
  }

  /**
   * A draft's lines no longer hash as those its tax was calculated for (late usage since the
   * pre-step): its chunk is rolled back, and it alone stays a draft until the next run
   * calculates its tax again. Never a failure of the run.
   */
  static final class TaxOutOfDate extends RuntimeException {
    TaxOutOfDate(long invoiceId) {
      super(
          "the tax of draft " + invoiceId + " was calculated for other lines", null, false, false);
    }
  }

  private final DataSource dataSource;
  private final InvoiceCalculator calculator;
  private final BillingEvents events;
  private final Supplier<BillingConfig> config;
  private final OnFinalized onFinalized;
  private final PluginMetrics metrics;
  private final int chunk;
  private final int workerCount;
  private final ChunkWorkers workers;
  private InvoiceTaxes taxes;

  /** @param metrics where finalized invoices are counted, by currency */
  public InvoiceFinalizer(
      DataSource dataSource,
      InvoiceCalculator calculator,
      BillingEvents events,
      Supplier<BillingConfig> config,
      OnFinalized onFinalized,
      PluginMetrics metrics) {
    this(dataSource, calculator, events, config, onFinalized, metrics, CHUNK);
  }

  /** {@link InvoiceFinalizer}, with {@code chunk} drafts per transaction (tests). */
  public InvoiceFinalizer(
      DataSource dataSource,
      InvoiceCalculator calculator,
      BillingEvents events,
      Supplier<BillingConfig> config,
      OnFinalized onFinalized,
      PluginMetrics metrics,
      int chunk) {
    this(dataSource, calculator, events, config, onFinalized, metrics, chunk, WORKERS);
  }

  /**
   * {@link InvoiceFinalizer}, with {@code chunk} drafts per transaction and {@code workers}
   * chunks at once (tests, benchmarks).
   */
  public InvoiceFinalizer(
      DataSource dataSource,
      InvoiceCalculator calculator,
      BillingEvents events,
      Supplier<BillingConfig> config,
      OnFinalized onFinalized,
      PluginMetrics metrics,
      int chunk,
      int workers) {
    this.dataSource = dataSource;
    this.calculator = calculator;
    this.events = events;
    this.config = config;
    this.onFinalized = onFinalized;
    this.metrics = metrics;
    this.chunk = chunk;
    this.workerCount = workers;
    this.workers = new ChunkWorkers(workers);
  }

  /**
   * With {@code stripeTax}, the tax of the drafts is calculated by {@code taxes} before they are
   * finalized (set once, at wiring; without it, no draft is finalized while stripeTax is on).
   */
  public InvoiceFinalizer withTaxes(InvoiceTaxes taxes) {
    this.taxes = taxes;
    return this;
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
    return taxes.calculate(due, now, chunk);
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
    Tally tally = new Tally();
    // one settled run for the whole run: each invoice claims the usage rated up to it
    long settledRun = due.isEmpty() ? 0 : RatingRuns.settled(dataSource);
    List<Long> again =
        new ArrayList<>(
            workers.eachChunk(
                chunks(due), ids -> finalizeChunk(ids, now, cause, settledRun, true, tally).all()));
    again.sort(Comparator.naturalOrder());
    // finalized or voided by now unless the run that held them failed or died: then this one
    // finalizes them; and the drafts that waited for an earlier one, which may be done by now
    workers.eachChunk(
        chunks(again),
        ids -> {
          Left left = finalizeChunk(ids, now, cause, settledRun, false, tally);
          tally.doneByOthers(left.notTaken().size());
          tally.waitingForEarlier(left.waiting().size());
          return List.<Long>of();
        });
    Finalization done = tally.finalization();
    if (tally.failure() != null) {
      String waiting =
          done.waitingForEarlier() == 0
              ? ""
              : "; %d wait for an earlier draft of their account"
                  .formatted(done.waitingForEarlier());
      throw new SQLException(
          "%d invoices could not be finalized (%d were%s)"
              .formatted(tally.failed(), done.finalized(), waiting),
          tally.failure());
    }
    return done;
  }

  /**
   * Finalizes the drafts of {@code ids} in one transaction, publishing after its commit; when it
   * fails, each of them in its own. Answers the ids it did not take: no longer drafts, or (when
   * {@code skipLocked}) held by another run; and those that wait for an earlier draft.
   */
  private Left finalizeChunk(
      List<Long> ids, Instant now, Cause cause, long settledRun, boolean skipLocked, Tally tally) {
    Chunk done;
    try {
      done =
          Transactions.inTransaction(
              dataSource, c -> finalize(c, ids, now, cause, settledRun, skipLocked));
    } catch (SQLException | RuntimeException e) {
      if (e instanceof TaxOutOfDate && ids.size() == 1) {
        log.info("draft {}: {}; it stays a draft until the next run", ids.get(0), e.getMessage());
        tally.waitingForTax();
        return Left.NOTHING;
      }
      if (e instanceof SQLTransientConnectionException) {
        // no connection within the pool's wait: one by one, each would wait as long again
        log.warn("a chunk of {} drafts stays drafts, no connection: {}", ids.size(), e.toString());
        tally.failed(e, ids.size());
        return Left.NOTHING;
      }
      if (ids.size() > 1) {
        log.warn(
            "a chunk of {} drafts could not be finalized ({}); finalizing them one by one",
            ids.size(),
            e.toString());
        Left left = Left.NOTHING;
        for (long id : ids) {
          left = left.plus(finalizeChunk(List.of(id), now, cause, settledRun, skipLocked, tally));
        }
        return left;
      }
      log.error("could not finalize invoice {}; it stays a draft", ids.get(0), e);
      tally.failed(e, 1);
      return Left.NOTHING;
    }
    publishFinalized(done.finalized());
    tally.finalized(done.finalized().size());
    if (!done.left().waiting().isEmpty()) {
      log.info(
          "{} drafts wait for an earlier draft of their account", done.left().waiting().size());
    }
    return done.left();
  }

  /**
   * The drafts of {@code ids} in chunks: in id order on one worker; on more, in chunks that never
   * split an account ({@link AccountChunks}), so that an account's drafts are still finalized in
   * id order.
   */
  private List<List<Long>> chunks(List<Long> ids) throws SQLException {
    if (workerCount == 1) {
      List<List<Long>> chunks = new ArrayList<>();
      for (int from = 0; from < ids.size(); from += chunk) {
        chunks.add(ids.subList(from, Math.min(ids.size(), from + chunk)));
      }
      return chunks;
    }
    if (ids.isEmpty()) {
      return List.of();
    }
    List<AccountChunks.Draft> drafts = new ArrayList<>(ids.size());
    try (Connection connection = dataSource.getConnection()) {
      Map<Long, String> accounts = new HashMap<>();
      try (PreparedStatement statement =
              ACCOUNTS_OF
                  .bind("id", SqlArrays.array(connection, ids, id -> id))
                  .prepare(connection);
          ResultSet rs = statement.executeQuery()) {
        while (rs.next()) {
          accounts.put(rs.getLong(1), rs.getString(2));
        }
      }
      // an id no longer found (deleted with its account) is a chunk's to find missing
      ids.forEach(id -> drafts.add(new AccountChunks.Draft(id, accounts.getOrDefault(id, ""))));
    }
    return AccountChunks.of(drafts, chunk);
  }

  /**
   * Opens and finalizes at once an invoice of {@code [start, end)} for the account (an admin's
   * invoice), in one transaction.
   *
   * @throws InvoiceExistsException when the account has an invoice overlapping the period
   * @throws EarlierDraftException when the account has a draft: it is finalized first
   */
  public Invoice invoiceNow(
      String userId, Currency currency, Instant start, Instant end, Instant now, Cause cause)
      throws SQLException, InvoiceExistsException, EarlierDraftException {
    if (config.get().stripeTax()) {
      return invoiceNowTaxed(userId, currency, start, end, now, cause);
    }
    Invoice invoice;
    long settledRun = RatingRuns.settled(dataSource); // before the account's lock
    try {
      invoice =
          Transactions.inTransaction(
              dataSource,
              c -> {
                long id = InvoiceDrafts.open(c, userId, currency, start, end, now, now, cause);
                Optional<Invoice> finalized = finalizeDraft(c, id, now, cause, settledRun);
                if (finalized.isEmpty()) {
                  // a draft of the account opened before this one committed since open() looked
                  // (generate-invoices'): refused as open() refuses, rolled back
                  InvoiceDrafts.refuseAfterADraft(c, userId, id);
                }
                return finalized.orElseThrow();
              });
    } catch (SQLException e) {
      if (!InvoiceDrafts.isOverlap(e)) {
        throw e;
      }
      throw new InvoiceExistsException(
          new InvoiceDrafts(dataSource).overlapping(userId, start, end).orElse(null));
    }
    publishFinalized(List.of(invoice));
    return invoice;
  }

  /**
   * {@link #invoiceNow} with stripeTax: the draft is opened in a transaction of its own, its tax
   * calculated outside any, and then it is finalized; answered still a draft (due at once, so the
   * next finalize-invoices retries it) when its tax could not be calculated or its lines changed
   * in between.
   */
  private Invoice invoiceNowTaxed(
      String userId, Currency currency, Instant start, Instant end, Instant now, Cause cause)
      throws SQLException, InvoiceExistsException, EarlierDraftException {
    long id;
    try {
      id =
          Transactions.inTransaction(
              dataSource,
              c -> InvoiceDrafts.open(c, userId, currency, start, end, now, now, cause));
    } catch (SQLException e) {
      if (!InvoiceDrafts.isOverlap(e)) {
        throw e;
      }
      throw new InvoiceExistsException(
          new InvoiceDrafts(dataSource).overlapping(userId, start, end).orElse(null));
    }
    preparedTaxes(List.of(id), now);
    Tally tally = new Tally();
    long settledRun = RatingRuns.settled(dataSource);
    finalizeChunk(List.of(id), now, cause, settledRun, false, tally);
    if (tally.failure() != null) {
      throw tally.failure();
    }
    try (Connection connection = dataSource.getConnection()) {
      return InvoiceRepository.find(connection, id, false).orElseThrow();
    }
  }

  /**
   * Tells of finalized invoices, in one publishing, and, of each with nothing to pay, of its
   * payment; counts them.
   */
  private void publishFinalized(List<Invoice> invoices) {
    List<InvoiceEvent> told = new ArrayList<>(invoices.size());
    for (Invoice invoice : invoices) {
      metrics
          .counter("invoices.finalized", "currency", invoice.currency().getCurrencyCode())
          .increment();
      told.add(invoice.event());
    }
    events.invoicesFinalized(told);
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
   * Finalizes the draft in the caller's transaction (a chunk of one); empty when it is no longer
   * a draft (another run or node finalized or voided it first: the row lock makes it wait, then
   * it sees that). Its usage is claimed up to {@code settledRun} ({@link RatingRuns#settled},
   * read before this transaction took any account lock).
   */
  Optional<Invoice> finalizeDraft(
      Connection connection, long id, Instant now, Cause cause, long settledRun)
      throws SQLException {
    return finalize(connection, List.of(id), now, cause, settledRun, false).finalized().stream()
        .findFirst();
  }

  /**
   * Finalizes the drafts of {@code ids} in the caller's transaction, each step one statement for
   * all of them; those that are no longer drafts, or (when {@code skipLocked}) that another
   * transaction holds, are left out and answered.
   */
  private Chunk finalize(
      Connection connection,
      List<Long> ids,
      Instant now,
      Cause cause,
      long settledRun,
      boolean skipLocked)
      throws SQLException {
    List<Invoice> locked = lockDrafts(connection, ids, skipLocked);
    Set<Long> taken = new HashSet<>();
    locked.forEach(d -> taken.add(d.id()));
    List<Long> notTaken = ids.stream().filter(id -> !taken.contains(id)).toList();
    if (locked.isEmpty()) {
      return new Chunk(List.of(), new Left(notTaken, List.of()));
    }
    BillingConfig current = config.get();
    Set<String> teams = lockAccounts(connection, locked);
    Set<Long> waiting = waitingForEarlier(connection, locked);
    List<Invoice> drafts = locked.stream().filter(d -> !waiting.contains(d.id())).toList();
    if (drafts.isEmpty()) {
      return new Chunk(List.of(), new Left(notTaken, List.copyOf(waiting)));
    }
    List<InvoiceCalculator.Billed> billed =
        calculator.charges(connection, drafts, settledRun, d -> teams.contains(d.userId()));
    List<BigDecimal> subtotals = new ArrayList<>(drafts.size());
    List<BigDecimal> withTax = new ArrayList<>(drafts.size());
    List<CreditApplier.Due> dues = new ArrayList<>(drafts.size());
    Map<Long, InvoiceTaxes.Calculated> taxed = taxed(connection, drafts, current);
    for (int i = 0; i < drafts.size(); i++) {
      Invoice draft = drafts.get(i);
      BigDecimal subtotal =
          billed.get(i).lines().stream()
              .map(ChargeLine::amount)
              .reduce(Money.zero(draft.currency()), BigDecimal::add);
      subtotals.add(subtotal);
      BigDecimal due = subtotal.add(taxAdded(draft, billed.get(i), taxed, current));
      withTax.add(due);
      // credits pay the invoice as the customer owes it, tax included (as a customer balance)
      dues.add(new CreditApplier.Due(draft.id(), draft.userId(), draft.currency(), due));
    }
    List<List<Application>> credits = CreditApplier.apply(connection, dues, now);
    storeLines(connection, drafts, billed, credits);
    List<InvoiceMemberAmounts.Parts> parts = new ArrayList<>();
    for (int i = 0; i < drafts.size(); i++) {
      Invoice draft = drafts.get(i);
      if (teams.contains(draft.userId())) {
        // stored now, from the records just claimed: a finalized invoice never changes
        parts.add(
            new InvoiceMemberAmounts.Parts(draft.id(), billed.get(i).shares(draft.currency())));
      }
    }
    InvoiceMemberAmounts.store(connection, parts);
    // the numbers are taken last: their counter row is the one lock every finalization shares
    ZonedDateTime local = now.atZone(current.billingTimeZone());
    List<String> numbers = InvoiceNumbers.take(connection, local.getYear(), drafts.size());
    List<Totals> totals = new ArrayList<>(drafts.size());
    for (int i = 0; i < drafts.size(); i++) {
      Invoice draft = drafts.get(i);
      BigDecimal applied =
          credits.get(i).stream()
              .map(Application::amount)
              .reduce(Money.zero(draft.currency()), BigDecimal::add);
      BigDecimal total = withTax.get(i).subtract(applied);
      InvoiceStatus status = total.signum() == 0 ? InvoiceStatus.PAID : InvoiceStatus.SENT;
      totals.add(
          new Totals(draft.id(), status.value(), numbers.get(i), subtotals.get(i), applied, total));
    }
    List<Invoice> finalized =
        update(connection, totals, now, local.plusDays(current.paymentTermsDays()).toInstant());
    log.info(
        "finalized {} invoices, {} to {}",
        finalized.size(),
        numbers.get(0),
        numbers.get(numbers.size() - 1));
    audit(connection, drafts, finalized, now, cause);
    onFinalized.finalizedAll(connection, finalized);
    return new Chunk(finalized, new Left(notTaken, waiting.stream().sorted().toList()));
  }

  /**
   * The stored tax calculations of the chunk's drafts with stripeTax; without it, none, and any
   * a draft kept from when it was on forgotten (it is finalized without tax).
   */
  private static Map<Long, InvoiceTaxes.Calculated> taxed(
      Connection connection, List<Invoice> drafts, BillingConfig current) throws SQLException {
    List<Long> ids = drafts.stream().map(Invoice::id).toList();
    if (!current.stripeTax()) {
      InvoiceTaxes.forget(connection, ids);
      return Map.of();
    }
    return InvoiceTaxes.calculated(connection, ids);
  }

  /**
   * What the tax adds to the draft's lines: its calculated tax when they exclude it, nothing when
   * they include it (or without stripeTax).
   *
   * @throws TaxOutOfDate when its calculation was made for other lines than these
   */
  private static BigDecimal taxAdded(
      Invoice draft,
      InvoiceCalculator.Billed billed,
      Map<Long, InvoiceTaxes.Calculated> taxed,
      BillingConfig current) {
    if (!current.stripeTax()) {
      return BigDecimal.ZERO;
    }
    InvoiceTaxes.Calculated calculated = taxed.get(draft.id());
    if (calculated == null
        || !calculated
            .linesHash()
            .equals(
                LinesHash.of(
                    draft.currency(), calculated.behavior(), InvoiceTaxes.items(billed.lines())))) {
      throw new TaxOutOfDate(draft.id());
    }
    return calculated.behavior() == TaxBehavior.EXCLUSIVE ? calculated.tax() : BigDecimal.ZERO;
  }

  /** The chunk's {@code invoice.finalized} entries in one statement: the drafts, as finalized. */
  private static void audit(
      Connection connection,
      List<Invoice> drafts,
      List<Invoice> finalized,
      Instant now,
      Cause cause)
      throws SQLException {
    Map<Long, Invoice> before = new HashMap<>();
    drafts.forEach(d -> before.put(d.id(), d));
    List<AuditEntry> entries = new ArrayList<>(finalized.size());
    for (Invoice invoice : finalized) {
      entries.add(
          new AuditEntry(
              now,
              cause,
              invoice.userId(),
              AuditKinds.INVOICE_FINALIZED,
              invoice.subject(),
              before.get(invoice.id()).audited(),
              invoice.audited()));
    }
    AuditTrail.recordAll(connection, entries);
  }

  /** What the finalize update writes of one invoice. */
  private record Totals(
      long id,
      String status,
      String number,
      BigDecimal subtotal,
      BigDecimal creditsApplied,
      BigDecimal total) {}

  private static List<Invoice> lockDrafts(Connection connection, List<Long> ids, boolean skip)
      throws SQLException {
    List<Invoice> drafts = new ArrayList<>();
    try (PreparedStatement statement =
            (skip ? LOCK_DRAFTS_SKIPPING : LOCK_DRAFTS_WAITING)
                .bind("id", SqlArrays.array(connection, ids, id -> id))
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        drafts.add(InvoiceRepository.read(rs));
      }
    }
    return drafts;
  }

  /**
   * The ids of the drafts whose account has a draft opened before them outside {@code drafts}
   * (after their accounts are locked).
   */
  private static Set<Long> waitingForEarlier(Connection connection, List<Invoice> drafts)
      throws SQLException {
    Set<Long> waiting = new HashSet<>();
    try (PreparedStatement statement =
            WAITING_FOR_EARLIER
                .bind("id", SqlArrays.array(connection, drafts, Invoice::id))
                .bind("user_id", SqlArrays.array(connection, drafts, Invoice::userId))
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        waiting.add(rs.getLong(1));
      }
    }
    return waiting;
  }

  /** Locks the drafts' accounts; answers those of team organizations. */
  private static Set<String> lockAccounts(Connection connection, List<Invoice> drafts)
      throws SQLException {
    Set<String> teams = new HashSet<>();
    List<String> accounts = drafts.stream().map(Invoice::userId).distinct().toList();
    try (PreparedStatement statement =
            LOCK_ACCOUNTS
                .bind("user_id", SqlArrays.array(connection, accounts, a -> a))
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        if (rs.getBoolean(2)) {
          teams.add(rs.getString(1));
        }
      }
    }
    return teams;
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

  /** One line of an invoice of the chunk, for {@link #LINES}: the line as the invoice shows it. */
  private record StoredLine(long invoiceId, InvoiceView.Line line) {}

  /** Stores the chunk's lines: each invoice's charges, then its credits, numbered from 1. */
  private static void storeLines(
      Connection connection,
      List<Invoice> drafts,
      List<InvoiceCalculator.Billed> billed,
      List<List<Application>> credits)
      throws SQLException {
    List<StoredLine> lines = new ArrayList<>();
    for (int i = 0; i < drafts.size(); i++) {
      Invoice draft = drafts.get(i);
      int lineNo = 0;
      for (ChargeLine c : billed.get(i).lines()) {
        lines.add(
            new StoredLine(
                draft.id(),
                new InvoiceView.Line(
                    ++lineNo,
                    c.kind().name().toLowerCase(Locale.ROOT),
                    c.description(),
                    c.unit() == null ? null : c.unit().resourceType(),
                    c.quantity(),
                    c.unit() == null ? null : c.unit().label(),
                    c.unitPrice(),
                    c.amount(),
                    c.from(),
                    c.to())));
      }
      for (Application a : credits.get(i)) {
        lines.add(
            new StoredLine(
                draft.id(),
                new InvoiceView.Line(
                    ++lineNo,
                    "credit",
                    "Credit: " + a.reason(),
                    null,
                    null,
                    null,
                    null,
                    a.amount().negate(),
                    draft.periodStart(),
                    draft.periodEnd())));
      }
    }
    if (lines.isEmpty()) {
      return;
    }
    LINES
        .bind("invoice_id", SqlArrays.array(connection, lines, StoredLine::invoiceId))
        .bind("line_no", column(connection, lines, InvoiceView.Line::lineNo))
        .bind("kind", column(connection, lines, InvoiceView.Line::kind))
        .bind("description", column(connection, lines, InvoiceView.Line::description))
        .bind("resource_type", column(connection, lines, InvoiceView.Line::resourceType))
        .bind("quantity", column(connection, lines, InvoiceView.Line::quantity))
        .bind("unit", column(connection, lines, InvoiceView.Line::unit))
        .bind("unit_price", column(connection, lines, InvoiceView.Line::unitPrice))
        .bind("amount", column(connection, lines, InvoiceView.Line::amount))
        .bind("period_start", column(connection, lines, InvoiceView.Line::periodStart))
        .bind("period_end", column(connection, lines, InvoiceView.Line::periodEnd))
        .update(connection);
  }

  private static Array column(
      Connection connection, List<StoredLine> lines, Function<InvoiceView.Line, ?> field)
      throws SQLException {
    return SqlArrays.array(connection, lines, stored -> field.apply(stored.line()));
  }
}
