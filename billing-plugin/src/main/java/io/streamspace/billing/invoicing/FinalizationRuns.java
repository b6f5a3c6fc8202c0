package io.streamspace.billing.invoicing;

import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.db.NamedSql;
import io.streamspace.billing.db.SqlArrays;
import io.streamspace.billing.invoicing.ChunkFinalization.Chunk;
import io.streamspace.billing.invoicing.ChunkFinalization.Left;
import io.streamspace.billing.rating.RatingRuns;
import io.streamspace.common.db.Transactions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs drafts through finalization a chunk at a time, each chunk in a transaction of its own
 * ({@link ChunkFinalization}), {@code workers} chunks at once ({@link ChunkWorkers}), in chunks
 * that never split an account when there are several workers ({@link AccountChunks}). A first
 * pass skips the drafts another run holds; a second, at the end, waits for them and finalizes
 * those that run left, and the drafts that waited for an earlier one of their account. A chunk
 * that fails is finalized again one by one, so that the invoice that cannot be finalized alone
 * stays a draft; the run goes on and fails at its end, naming how many. Each chunk's invoices are
 * published once it committed ({@link FinalizationNotices}).
 */
final class FinalizationRuns {

  // logged under the finalizer's name, where operators read finalization's lines
  private static final Logger log = LoggerFactory.getLogger(InvoiceFinalizer.class);

  private static final NamedSql ACCOUNTS_OF =
      NamedSql.of("SELECT id, user_id FROM billing_invoices WHERE id = ANY(:id::text[]::bigint[])");

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

  private final DataSource dataSource;
  private final ChunkFinalization chunks;
  private final FinalizationNotices notices;
  private final int chunk;
  private final int workerCount;
  private final ChunkWorkers workers;

  /**
   * @param chunk drafts per transaction
   * @param workers chunks at once
   */
  FinalizationRuns(
      DataSource dataSource,
      ChunkFinalization chunks,
      FinalizationNotices notices,
      int chunk,
      int workers) {
    this.dataSource = dataSource;
    this.chunks = chunks;
    this.notices = notices;
    this.chunk = chunk;
    this.workerCount = workers;
    this.workers = new ChunkWorkers(workers);
  }

  /** Drafts per transaction (the tax pre-step reads them as many at a time). */
  int chunk() {
    return chunk;
  }

  /** Finalizes the drafts of {@code due}, in their order ({@link InvoiceFinalizer#finalizeDue}). */
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
   * Finalizes the draft in a transaction of its own, waiting for it if another holds it, its
   * usage claimed up to {@code settledRun}; throws what made it fail, and leaves it a draft
   * without failing when its tax was calculated for other lines.
   */
  void finalizeOne(long id, Instant now, Cause cause, long settledRun) throws SQLException {
    Tally tally = new Tally();
    finalizeChunk(List.of(id), now, cause, settledRun, false, tally);
    if (tally.failure() != null) {
      throw tally.failure();
    }
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
              dataSource, c -> chunks.finalize(c, ids, now, cause, settledRun, skipLocked));
    } catch (SQLException | RuntimeException e) {
      if (e instanceof TaxAtFinalization.OutOfDate && ids.size() == 1) {
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
    notices.published(done.finalized());
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
}
