package io.streamspace.billing.corrections;

import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.corrections.CorrectionJournal.Made;
import io.streamspace.billing.corrections.CorrectionJournal.Recorded;
import io.streamspace.billing.corrections.CorrectionJournal.Step;
import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.invoicing.InvoiceCalculator;
import io.streamspace.billing.metering.MeteringStore;
import io.streamspace.common.db.Transactions;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Usage corrections: an admin's correction of accepted usage, checked, previewed, recorded and
 * applied in idempotent steps keyed by the correction, each in a transaction of its own:
 * recorded (its journal), applied ({@link CorrectionApplier}: re-rated, differences written, money
 * stored), credited ({@link CorrectionCredits}), announced ({@code billing.usage.corrected}, per
 * organization). A retry under the request's key, a second node or the next correction resumes a
 * correction a crash stopped between two steps, and each step finds what the last one did: nothing
 * is applied twice. A preview runs the very same steps in a transaction that is rolled back.
 */
public final class Corrections {

  /** Told after each step of a correction commits ({@code applied}, {@code credited}...). */
  @FunctionalInterface
  public interface StepListener {
    StepListener NONE = (id, step) -> {};

    void reached(long correctionId, String step);
  }

  /** A retry's key was given before with another request. */
  public static final class KeyReused extends Exception {
    KeyReused(String message) {
      super(message);
    }
  }

  /**
   * Who asks for a correction, and under what: the admin, the request's id (null: none), and its
   * source (the admin and their Idempotency-Key, hashed: the same on a retry).
   */
  public record Asked(String actorId, String requestId, String source) {

    /** A source without a key: every request its own correction. */
    public static String once(String actorId) {
      return "correction:" + actorId + ":once:" + UUID.randomUUID();
    }

    /** The source of a request under {@code key}: the same for the same admin and key. */
    public static String keyed(String actorId, String key) {
      return "correction:"
          + actorId
          + ":key:"
          + UUID.nameUUIDFromBytes(key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  private static final Logger log = LoggerFactory.getLogger(Corrections.class);

  /** PostgreSQL's unique_violation. */
  private static final String UNIQUE_VIOLATION = "23505";

  /** The most corrections an organization's list shows. */
  private static final int LISTED = 100;

  private final DataSource dataSource;
  private final Supplier<BillingConfig> config;
  private final CorrectionApplier applier;
  private final CorrectionCredits creditNotes;
  private final BillingEvents events;
  private final Clock clock;
  private final StepListener steps;

  /**
   * @param issuer the credit notes' issuer; null while none is wired (the credits a correction
   *     owes wait, recorded, for a resume after one is)
   */
  public Corrections(
      DataSource dataSource,
      Supplier<BillingConfig> config,
      InvoiceCalculator calculator,
      MeteringStore store,
      BillingEvents events,
      CreditNoteIssuer issuer,
      Clock clock,
      StepListener steps) {
    this.dataSource = dataSource;
    this.config = config;
    this.applier = new CorrectionApplier(calculator, store, config);
    this.creditNotes = new CorrectionCredits(dataSource, issuer);
    this.events = events;
    this.clock = clock;
    this.steps = steps;
  }

  /**
   * Makes the correction (or, asked again under the same source, finishes and answers the one
   * made then): checked and previewed first, so a refusal changes nothing.
   *
   * @throws KeyReused when the source was used for another request
   */
  public CorrectionView correct(CorrectionRequest request, Asked asked)
      throws SQLException, CorrectionRefused, KeyReused {
    Optional<Recorded> before =
        Transactions.inTransaction(dataSource, c -> CorrectionJournal.bySource(c, asked.source()));
    long id = before.isPresent() ? sameRequest(before.get(), request) : made(request, asked);
    finishUnfinished(id);
    resume(id);
    return Transactions.inTransaction(dataSource, c -> CorrectionReads.view(c, id, null));
  }

  /** The correction recorded under the request's source, when the request is the same. */
  private static long sameRequest(Recorded recorded, CorrectionRequest request) throws KeyReused {
    if (!recorded.hash().equals(request.hash())) {
      throw new KeyReused("this Idempotency-Key was given with another correction");
    }
    return recorded.id();
  }

  /**
   * Previews the correction (a refusal changes nothing), then records it; answers its id. The same
   * request under the same key, recorded meanwhile by another node, is answered instead: its
   * entries are what this one is refused for (an event it cancelled, one it backfilled), or its
   * key what this one's record collides with.
   */
  private long made(CorrectionRequest request, Asked asked)
      throws SQLException, CorrectionRefused, KeyReused {
    try {
      preview(request, asked);
      long id =
          Transactions.inTransaction(
              dataSource, c -> record(c, request, asked, asked.source(), clock.instant()));
      steps.reached(id, Step.RECORDED.value());
      return id;
    } catch (CorrectionRefused | SQLException e) {
      if (e instanceof SQLException sql && !UNIQUE_VIOLATION.equals(sql.getSQLState())) {
        throw e;
      }
      Optional<Recorded> meanwhile =
          Transactions.inTransaction(
              dataSource, c -> CorrectionJournal.bySource(c, asked.source()));
      if (meanwhile.isEmpty()) {
        throw e;
      }
      return sameRequest(meanwhile.get(), request);
    }
  }

  /**
   * What the correction would change, made and applied in a transaction that is rolled back:
   * the answer {@link #correct} would give, with nothing changed.
   */
  public CorrectionView preview(CorrectionRequest request, Asked asked)
      throws SQLException, CorrectionRefused {
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try {
        Instant now = clock.instant();
        long id = record(connection, request, asked, "preview:" + UUID.randomUUID(), now);
        applier.apply(connection, id, now);
        return CorrectionReads.view(connection, id, "preview");
      } finally {
        connection.rollback();
      }
    }
  }

  /** The organization's corrections, newest first, as it sees them. */
  public List<CorrectionView> ofOrganization(String orgId) throws SQLException {
    return Transactions.inTransaction(
        dataSource, c -> CorrectionReads.ofOrganization(c, orgId, LISTED));
  }

  /**
   * Runs the steps correction {@code id} has not reached yet, each in its own transaction; each
   * finds what an earlier run (here, on another node, before a crash) did, and leaves it.
   */
  public void resume(long id) throws SQLException, CorrectionRefused {
    Instant now = clock.instant();
    Transactions.inTransactionRetryingConflicts(
        dataSource,
        3,
        c -> {
          applier.apply(c, id, now);
          return null;
        });
    steps.reached(id, Step.APPLIED.value());
    creditNotes.issue(id, now);
    steps.reached(id, "credited");
    Transactions.inTransaction(
        dataSource,
        c -> {
          announce(c, id, now);
          return null;
        });
    steps.reached(id, Step.ANNOUNCED.value());
  }

  /**
   * Finishes every correction a crash left part way, oldest first: each calculate-usage run does,
   * on whichever node runs it, as no retry of a killed node's request reaches the plugin (the
   * host keeps its Idempotency-Key in progress, not knowing whether it took effect). A correction
   * being made meanwhile on a live node is found applied, or waited for, step by step. Answers how
   * many it finished: a credit the credit notes still refuse (a void invoice) stays pending, tried
   * again at the next run, and is not counted.
   */
  public int finishUnfinished() throws SQLException {
    List<Long> before = unfinished();
    finish(before, Long.MAX_VALUE);
    List<Long> left = unfinished();
    return (int) before.stream().filter(id -> !left.contains(id)).count();
  }

  /** Finishes the corrections a crash left part way (but {@code except}), oldest first. */
  private void finishUnfinished(long except) throws SQLException {
    finish(unfinished(), except);
  }

  private List<Long> unfinished() throws SQLException {
    return Transactions.inTransaction(
        dataSource, c -> CorrectionJournal.unfinished(c, creditNotes.issuing()));
  }

  private void finish(List<Long> unfinished, long except) throws SQLException {
    for (long id : unfinished) {
      if (id >= except) {
        continue; // a later one finishes after this one, as it was made after it
      }
      try {
        resume(id);
      } catch (CorrectionRefused | RuntimeException e) {
        log.warn("correction {} could not be finished (left as it is): {}", id, e.getMessage());
      }
    }
  }

  private long record(
      Connection connection, CorrectionRequest request, Asked asked, String source, Instant now)
      throws SQLException, CorrectionRefused {
    List<Entry> entries =
        CorrectionChecks.resolve(connection, request.entries(), config.get(), now);
    return CorrectionJournal.record(
        connection,
        source,
        request,
        entries,
        new Made(request.reason(), asked.actorId(), asked.requestId(), now));
  }

  /** Tells each organization of the correction, once it is applied: at least once. */
  private void announce(Connection connection, long id, Instant now) throws SQLException {
    if (CorrectionJournal.lock(connection, id) != Step.APPLIED) {
      return;
    }
    CorrectionView view = CorrectionReads.view(connection, id, null);
    view.items().stream()
        .map(CorrectionView.Item::orgId)
        .distinct()
        .forEach(org -> events.publish(BillingEvents.USAGE_CORRECTED, view.of(org)));
    CorrectionJournal.reached(connection, id, Step.ANNOUNCED, now);
  }
}
