package io.streamspace.billing.invoicing;

import io.streamspace.billing.account.AccountTermsLock;
import io.streamspace.billing.audit.AuditEntry;
import io.streamspace.billing.audit.AuditKinds;
import io.streamspace.billing.audit.AuditTrail;
import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
import io.streamspace.billing.money.BillingPeriods;
import io.streamspace.common.db.Sql;
import io.streamspace.common.db.Transactions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Opens draft invoices. The database guarantees one invoice per account and period: a unique
 * key on (account, period start) and an exclusion constraint against overlapping periods, both
 * among invoices that are not void.
 */
public final class InvoiceDrafts {

  /** An instant as Jackson writes one, for entries written in SQL. */
  private static final String ISO = "YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"";

  /** SQLStates of the two guards: exclusion violation, unique violation. */
  private static final String EXCLUSION_VIOLATION = "23P01";

  private static final String UNIQUE_VIOLATION = "23505";
  private static final String NO_OVERLAP = "billing_invoices_no_overlap";
  private static final String ONE_PER_PERIOD = "billing_invoices_one_per_period";

  // The invoice.created entries of the drafts a statement opened (its CTE "created"), written by
  // the same statement: one row each, set-based as the drafts are, by organization as every
  // set-based writer of entries takes the chains' heads (AuditTrail.recordAll).
  private static final String AUDIT_CREATED =
      "INSERT INTO "
          + AuditTrail.INSERT_COLUMNS
          + """

          SELECT :now, :actor_type, :actor_id, user_id, '%s', 'invoice:' || id, NULL,
                 jsonb_build_object(
                   'id', id, 'invoice_number', NULL, 'status', 'draft',
                   'period_start', to_char(period_start AT TIME ZONE 'UTC', '%s'),
                   'period_end', to_char(period_end AT TIME ZONE 'UTC', '%s'),
                   'currency', currency,
                   'finalize_after', to_char(finalize_after AT TIME ZONE 'UTC', '%s')),
                 :reason, :request_id
          FROM created ORDER BY user_id, id"""
              .formatted(AuditKinds.INVOICE_CREATED, ISO, ISO, ISO);

  private static final NamedSql GENERATE =
      NamedSql.of(
          """
          -- one statement for a range of accounts, their audit entries with them
          WITH created AS (
          INSERT INTO billing_invoices (user_id, period_start, period_end, currency, status,
                                        finalize_after, created_at)
          SELECT a.user_id, s.start, least(:period_end, a.closed_at), a.currency, 'draft',
                 :finalize_after, :now
          FROM billing_accounts a
          -- A draft starts after the latest non-void invoice ending inside the period (an
          -- admin's invoice of its first days): without that, the overlap skipped the account
          -- and the rest of the period was never billed. A re-run finds the same start and
          -- conflicts with that draft.
          CROSS JOIN LATERAL (
            SELECT greatest(:period_start::timestamptz, max(i.period_end)) AS start
            FROM billing_invoices i
            WHERE i.user_id = a.user_id AND i.status <> 'void'
              AND i.period_end > :period_start::timestamptz
              AND i.period_end < :period_end::timestamptz) s
          -- A closed organization's draft ends at its closing (its final invoice, when this run
          -- comes before the final one): nothing after it is billed, and once that invoice
          -- exists its start is the closing, so no later period gets one.
          WHERE a.created_at < :period_end AND s.start < least(:period_end, a.closed_at)
            AND (:after::text IS NULL OR a.user_id > :after)
            AND (:up_to::text IS NULL OR a.user_id <= :up_to)
          -- no target, so it covers the exclusion constraint too: a re-run, a run after a crash
          -- or a second node's run inserts nothing for an account that has its invoice, even
          -- while the first run is uncommitted
          ON CONFLICT DO NOTHING
          RETURNING id, user_id, period_start, period_end, currency, finalize_after)
          """
              + AUDIT_CREATED);

  // the last account of each range a drafts' statement takes: every :per-th account of those a
  // run drafts for, in user_id order (the last range has no end)
  private static final NamedSql RANGE_ENDS =
      NamedSql.of(
          """
          SELECT user_id FROM (
            SELECT user_id, row_number() OVER (ORDER BY user_id) AS n
            FROM billing_accounts WHERE created_at < :period_end) a
          WHERE n % :per = 0 ORDER BY user_id""");

  private static final NamedSql OPEN_ONE =
      NamedSql.of(
          """
          INSERT INTO billing_invoices (user_id, period_start, period_end, currency, status,
                                        finalize_after, created_at)
          VALUES (:user_id, :period_start, :period_end, :currency, 'draft', :finalize_after, :now)
          RETURNING id""");

  // the account's first draft opened before the one given (its billing_invoices_user_period
  // index reads the account's few invoices)
  private static final NamedSql EARLIER_DRAFT =
      NamedSql.of(
          """
          SELECT min(id) FROM billing_invoices
          WHERE user_id = :user_id AND status = 'draft' AND id < :id""");

  private static final NamedSql OVERLAPPING =
      NamedSql.of(
          """
          SELECT id FROM billing_invoices
          WHERE user_id = :user_id AND status <> 'void'
            AND tstzrange(period_start, period_end) && tstzrange(:period_start, :period_end)
          ORDER BY period_start LIMIT 1""");

  // The closed organizations whose final invoice is not opened yet (no invoice reaches their
  // closing), with where their last invoice before it ends. Closed accounts are few, found by
  // the partial index on closed_at (V30); this runs every 15 minutes (finalize-invoices).
  private static final NamedSql CLOSED_UNINVOICED =
      NamedSql.of(
          """
          SELECT a.user_id, a.closed_at, a.currency,
                 (SELECT max(i.period_end) FROM billing_invoices i
                  WHERE i.user_id = a.user_id AND i.status <> 'void'
                    AND i.period_end <= a.closed_at) AS billed_until
          FROM billing_accounts a
          WHERE a.closed_at <= :now AND NOT a.personal
            AND NOT EXISTS (SELECT 1 FROM billing_invoices i
                            WHERE i.user_id = a.user_id AND i.status <> 'void'
                              AND i.period_end >= a.closed_at)
          ORDER BY a.user_id""");

  // Unique key and exclusion constraint as for the monthly drafts: a re-run, or the monthly run
  // having opened the same one, inserts nothing.
  private static final NamedSql OPEN_FINAL =
      NamedSql.of(
          """
          WITH created AS (
          INSERT INTO billing_invoices (user_id, period_start, period_end, currency, status,
                                        finalize_after, created_at)
          SELECT f.user_id, f.start, f.closed_at, f.currency, 'draft',
                 f.closed_at + make_interval(secs => :grace_seconds), :now
          FROM unnest(:user_id::text[], :start::text[]::timestamptz[],
                      :closed_at::text[]::timestamptz[], :currency::text[])
               AS f(user_id, start, closed_at, currency)
          ON CONFLICT DO NOTHING
          RETURNING id, user_id, period_start, period_end, currency, finalize_after)
          """
              + AUDIT_CREATED);

  /**
   * Accounts drafted for by one statement (in its own transaction): {@code (after, upTo]} in
   * user_id order, a null bound for no bound.
   */
  private record AccountRange(String after, String upTo) {}

  /** A closed organization's final invoice to open: {@code [start, closedAt)}. */
  private record FinalDraft(String orgId, Instant start, Instant closedAt, String currency) {}

  /**
   * Accounts a drafts' statement takes. A run's statements run {@link InvoiceFinalizer#WORKERS}
   * at once (one statement keeps one core busy); each commits on its own, so a crash leaves
   * some ranges drafted and a re-run drafts the others.
   */
  static final int ACCOUNTS_PER_STATEMENT = 5_000;

  private final DataSource dataSource;

  /** Drafts opened by one run from which it analyzes billing_invoices ({@link #generate}). */
  static final int ANALYZE_AFTER = 1_000;

  private final ChunkWorkers workers;

  private final int accountsPerStatement;

  public InvoiceDrafts(DataSource dataSource) {
    this(dataSource, InvoiceFinalizer.WORKERS, ACCOUNTS_PER_STATEMENT);
  }

  /**
   * {@link InvoiceDrafts} with {@code workers} statements at once, each of {@code
   * accountsPerStatement} accounts (tests, benchmarks).
   */
  InvoiceDrafts(DataSource dataSource, int workers, int accountsPerStatement) {
    this.dataSource = dataSource;
    this.workers = new ChunkWorkers(workers);
    this.accountsPerStatement = accountsPerStatement;
  }

  /**
   * Opens a draft of {@code [start, end)} for every account opened before {@code end} that has
   * no invoice overlapping it, or of the rest of it after the account's latest invoice ending
   * inside it (an admin's invoice of part of the period); answers how many were opened. One
   * statement per range of {@link #ACCOUNTS_PER_STATEMENT} accounts, each in its own
   * transaction, writes the drafts of its accounts and their {@code invoice.created} entries.
   */
  public int generate(Instant start, Instant end, Instant finalizeAfter, Instant now, Cause cause)
      throws SQLException {
    List<Integer> opened =
        workers.eachChunk(
            ranges(end), range -> List.of(generate(range, start, end, finalizeAfter, now, cause)));
    int drafts = opened.stream().mapToInt(Integer::intValue).sum();
    if (drafts >= ANALYZE_AFTER) {
      analyzeInvoices();
    }
    return drafts;
  }

  /**
   * Tells the planner of the drafts just opened ({@link #ANALYZE_AFTER}): until billing_invoices
   * is analyzed again, its statistics say drafts are rare, and finalization's statements are
   * planned for a few. At 100,000 drafts its chunks ran 2 to 5 times slower until autovacuum's
   * next pass analyzed the table (up to a minute later, docs/benchmark-history.md run R); once the
   * table holds a few years of invoices, a month's drafts change too small a share of its rows
   * for autovacuum to analyze it at all.
   */
  private void analyzeInvoices() throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute("ANALYZE billing_invoices");
    }
  }

  /** The ranges of the accounts a run for a period ending at {@code end} drafts for. */
  private List<AccountRange> ranges(Instant end) throws SQLException {
    List<AccountRange> ranges = new ArrayList<>();
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement =
            RANGE_ENDS
                .bind("period_end", end)
                .bind("per", accountsPerStatement)
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      String after = null;
      while (rs.next()) {
        ranges.add(new AccountRange(after, rs.getString(1)));
        after = rs.getString(1);
      }
      ranges.add(new AccountRange(after, null));
    }
    return ranges;
  }

  private int generate(
      AccountRange range,
      Instant start,
      Instant end,
      Instant finalizeAfter,
      Instant now,
      Cause cause)
      throws SQLException {
    // each draft takes its account's currency: none may change it meanwhile
    return Transactions.inTransaction(
        dataSource,
        connection -> {
          AccountTermsLock.share(connection);
          return GENERATE
              .bind("period_start", start)
              .bind("period_end", end)
              .bind("after", range.after())
              .bind("up_to", range.upTo())
              .bind("finalize_after", finalizeAfter)
              .bind("now", now)
              .bind("actor_type", cause.actor().type().value())
              .bind("actor_id", cause.actor().id())
              .bind("reason", cause.reason())
              .bind("request_id", cause.requestId())
              .update(connection);
        });
  }

  /**
   * Opens the final invoice of every organization closed at or before {@code now} that has
   * none: from the start of the billing period holding its closing (or the end of its last
   * invoice, if later) to the closing instant, finalized once {@code grace} has passed after
   * the closing, as a monthly draft is after its period. Answers how many were opened. The
   * monthly run does the same when it comes first ({@link #generate}: a closed organization's
   * draft ends at its closing), and no invoice is opened after it.
   */
  public int openFinal(Instant now, BillingPeriods periods, Duration grace, Cause cause)
      throws SQLException {
    return Transactions.inTransaction(
        dataSource,
        connection -> {
          AccountTermsLock.share(connection);
          List<FinalDraft> drafts = new ArrayList<>();
          try (PreparedStatement statement =
                  CLOSED_UNINVOICED.bind("now", now).prepare(connection);
              ResultSet rs = statement.executeQuery()) {
            while (rs.next()) {
              Instant closedAt = rs.getTimestamp(2).toInstant();
              // the period the closing ends (a closing at a boundary ends the one before it)
              Instant start = periods.periodStart(closedAt.minusNanos(1));
              Instant billedUntil = Sql.instant(rs.getTimestamp(4));
              if (billedUntil != null && billedUntil.isAfter(start)) {
                start = billedUntil;
              }
              if (start.isBefore(closedAt)) {
                drafts.add(new FinalDraft(rs.getString(1), start, closedAt, rs.getString(3)));
              }
            }
          }
          if (drafts.isEmpty()) {
            return 0;
          }
          return OPEN_FINAL
              .bind("user_id", SqlArrays.array(connection, drafts, FinalDraft::orgId))
              .bind("start", SqlArrays.array(connection, drafts, FinalDraft::start))
              .bind("closed_at", SqlArrays.array(connection, drafts, FinalDraft::closedAt))
              .bind("currency", SqlArrays.array(connection, drafts, FinalDraft::currency))
              .bind("grace_seconds", grace.toSeconds())
              .bind("now", now)
              .bind("actor_type", cause.actor().type().value())
              .bind("actor_id", cause.actor().id())
              .bind("reason", cause.reason())
              .bind("request_id", cause.requestId())
              .update(connection);
        });
  }

  /**
   * Opens one draft in the caller's transaction, under the account's lock.
   *
   * <p>The lock comes first so that two openings for one account take turns: the second one
   * inserts only after the first committed (or rolled back), and meets its invoice as a plain
   * exclusion violation. Without it, two uncommitted inserts each checked the exclusion
   * constraint against the other's row, waited for each other, and PostgreSQL aborted one with
   * "deadlock detected". Finalization takes the same lock next anyway.
   *
   * @throws SQLException an {@link #isOverlap overlap} when the account has an invoice
   *     overlapping the period (the transaction is then aborted: the caller rolls it back)
   * @throws EarlierDraftException when the account has a draft already: the one opened would be
   *     finalized after it (the caller rolls back)
   */
  static long open(
      Connection connection,
      String orgId,
      Currency currency,
      Instant start,
      Instant end,
      Instant finalizeAfter,
      Instant now,
      Cause cause)
      throws SQLException, EarlierDraftException {
    FinalizationLocks.account(connection, orgId);
    try (PreparedStatement statement =
            OPEN_ONE
                .bind("user_id", orgId)
                .bind("period_start", start)
                .bind("period_end", end)
                .bind("currency", currency.getCurrencyCode())
                .bind("finalize_after", finalizeAfter)
                .bind("now", now)
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      rs.next();
      long id = rs.getLong(1);
      Map<String, Object> draft = new LinkedHashMap<>();
      draft.put("id", id);
      draft.put("invoice_number", null);
      draft.put("status", InvoiceStatus.DRAFT.value());
      draft.put("period_start", start);
      draft.put("period_end", end);
      draft.put("currency", currency.getCurrencyCode());
      draft.put("finalize_after", finalizeAfter);
      refuseAfterADraft(connection, orgId, id);
      AuditTrail.record(
          connection,
          new AuditEntry(
              now, cause, orgId, AuditKinds.INVOICE_CREATED, "invoice:" + id, null, draft));
      return id;
    }
  }

  /**
   * Refuses an invoice {@code id} of the account that a draft opened before it would be finalized
   * after.
   *
   * @throws EarlierDraftException naming the account's first such draft, when there is one
   */
  static void refuseAfterADraft(Connection connection, String orgId, long id)
      throws SQLException, EarlierDraftException {
    try (PreparedStatement statement =
            EARLIER_DRAFT.bind("user_id", orgId).bind("id", id).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      rs.next();
      long earlier = rs.getLong(1);
      if (!rs.wasNull()) {
        throw new EarlierDraftException(earlier);
      }
    }
  }

  /**
   * Whether the statement failed on one of the one-invoice-per-period guards. By constraint
   * name too: another unique violation (an invoice number, say) is not "invoice exists" but the
   * error it is. The driver is the host's, so the name is read from the server's message, which
   * quotes it whatever the server's language.
   */
  static boolean isOverlap(SQLException e) {
    return (EXCLUSION_VIOLATION.equals(e.getSQLState()) && names(e, NO_OVERLAP))
        || (UNIQUE_VIOLATION.equals(e.getSQLState()) && names(e, ONE_PER_PERIOD));
  }

  private static boolean names(SQLException e, String constraint) {
    return e.getMessage() != null && e.getMessage().contains('"' + constraint + '"');
  }

  /** The account's non-void invoice overlapping {@code [start, end)}, if any. */
  Optional<Long> overlapping(String orgId, Instant start, Instant end) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement =
            OVERLAPPING
                .bind("user_id", orgId)
                .bind("period_start", start)
                .bind("period_end", end)
                .prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      return rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty();
    }
  }
}
