package io.streamspace.billing.admission;

import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.hold.AccountHolds;
import io.streamspace.billing.money.BillingPeriods;
import io.streamspace.billing.pace.BackgroundLane;
import io.streamspace.common.db.Sql;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * Loads what admission holds in memory from the database: at each {@link #reload}, the accounts
 * the view holds and every account with an open session in one snapshot ({@link StoredUseQuery}),
 * with the sessions' organizations, the holds, the closed organizations and the limits of the
 * plans' versions ({@link VersionsHeld}); and, when a check
 * asks about an account the view does not hold read ({@link #readIfNotHeld}), that account alone,
 * read once however many checks of it wait. What this node saw within {@link #KEEP_SEEN_HERE}
 * wins over what is read.
 */
final class AdmissionViewLoads {

  /**
   * How long the sessions, storage levels and pack changes this node saw win over the database:
   * the write-behind queue stores them well within that (its delay is 50 ms), so a reload after
   * it finds them there. A usage report is kept until a reload finds it stored (AccountUse).
   */
  static final Duration KEEP_SEEN_HERE = AdmissionReloads.REFRESH_INTERVAL;

  /**
   * How many accounts a slice of a reload reads, about: a reload reads every account with an open
   * session, 1.7 to 3.3 s of one core of the database for 100,000 of them on a 2-core machine, and
   * intake's batches under way beside that burst were its slowest (the intake-with-rating
   * workload: p99 300 ms with the reloads, 222 ms without). In slices of this size, each a
   * fraction of a second, with a pause between two, the same work is spread over the reload.
   */
  static final int ACCOUNTS_PER_SLICE = 5_000;

  /**
   * The pause after a slice, in times as long as the slice took: the reload's reads take a third
   * of one core at most while it lasts.
   */
  static final int PAUSE_PER_SLICE = 2;

  private final StoredUseQuery stored;
  private final AdmissionView view;
  private final SessionOrgs sessionOrgs;
  private final AccountHolds holds;
  private final ClosedOrganizations closed;
  private final VersionsHeld versions;
  private final Supplier<BillingConfig> config;
  private final Clock clock;
  private final BackgroundLane lane;
  // the reads of an account not in the view under way, by account: a second check waits for it
  private final Map<String, CompletableFuture<Void>> reading = new ConcurrentHashMap<>();

  AdmissionViewLoads(
      DataSource dataSource,
      AdmissionView view,
      SessionOrgs sessionOrgs,
      AccountHolds holds,
      ClosedOrganizations closed,
      VersionsHeld versions,
      Supplier<BillingConfig> config,
      Clock clock,
      BackgroundLane lane) {
    this.stored = new StoredUseQuery(dataSource);
    this.view = view;
    this.sessionOrgs = sessionOrgs;
    this.holds = holds;
    this.closed = closed;
    this.versions = versions;
    this.config = config;
    this.clock = clock;
    this.lane = lane;
  }

  /**
   * Reloads the accounts the view holds and every account with an open session from the
   * database, keeping what this node saw since the last reloads; the accounts that no longer
   * matter leave the view. Many accounts are read in slices ({@link #slicesFor}), with pauses.
   * On the background lane ({@link BackgroundLane}), taken before its snapshot begins and kept
   * through its pauses: its snapshot, which holds back the vacuum of the sessions intake updates,
   * never waits for another work.
   *
   * @return how long it paused between slices or waited for the lane (the reloads' pace leaves
   *     both out of the reload's work)
   * @throws InterruptedException when a pause is interrupted (the view is left as it was)
   */
  Duration reload() throws SQLException, InterruptedException {
    long asked = System.nanoTime(); // an elapsed time, not an instant: no clock reads it
    try (BackgroundLane.Turn turn = lane.enter()) {
      Duration waited = Duration.ofNanos(System.nanoTime() - asked);
      return reloadOnTheLane().plus(waited);
    }
  }

  private Duration reloadOnTheLane() throws SQLException, InterruptedException {
    Instant now = clock.instant();
    BillingConfig current = config.get();
    Instant staleBefore = now.minus(current.sessionHeartbeatTimeout());
    BillingPeriods periods = periods(current);
    Instant periodStart = periods.periodStart(now);
    long load = view.nextLoad();
    Set<String> held = view.orgIds();
    AtomicLong paused = new AtomicLong();
    StoredUseQuery.Loaded loaded =
        stored.loadInSlices(
            held,
            true,
            new StoredUseQuery.AsOf(
                now,
                staleBefore,
                periodStart,
                periods.periodEnd(now),
                current.meters().maxCounterIds()),
            view::reportIds,
            slicesFor(held.size()),
            took -> {
              Duration pause = took.multipliedBy(PAUSE_PER_SLICE);
              TimeUnit.NANOSECONDS.sleep(pause.toNanos());
              paused.addAndGet(pause.toNanos());
            });
    view.refresh(held, loaded, periodStart, now.minus(KEEP_SEEN_HERE), load);
    sessionOrgs.refresh(loaded.accounts(), now.minus(KEEP_SEEN_HERE));
    holds.reload();
    closed.reload(now.minus(KEEP_SEEN_HERE));
    versions.reload(current);
    return Duration.ofNanos(paused.get());
  }

  /**
   * Into how many slices a reload of the view's {@code held} accounts is cut: one per {@link
   * #ACCOUNTS_PER_SLICE} (one for a view smaller than that).
   */
  static int slicesFor(int held) {
    return Math.max(1, (held + ACCOUNTS_PER_SLICE - 1) / ACCOUNTS_PER_SLICE);
  }

  /**
   * Reads the account from the database when the view does not hold it read (it left, or an
   * event brought it in since the last reload), before a check decides on it. Only this check
   * (and others of the same account, which wait for the one read) waits.
   *
   * @throws Sql.DatabaseException when the database cannot be read (503 when it is down)
   */
  void readIfNotHeld(String orgId) {
    while (!view.isLoaded(orgId)) {
      CompletableFuture<Void> mine = new CompletableFuture<>();
      CompletableFuture<Void> running = reading.putIfAbsent(orgId, mine);
      if (running != null) {
        running.join(); // completed however that read ended; read again if it failed
        continue;
      }
      try {
        read(orgId);
        return;
      } catch (SQLException e) {
        throw Sql.failure("reading account " + orgId + " for admission", e);
      } finally {
        reading.remove(orgId, mine);
        mine.complete(null);
      }
    }
  }

  /** One account's use as the database holds it, taken into the view as a reload takes it. */
  private void read(String orgId) throws SQLException {
    Instant now = clock.instant();
    BillingConfig current = config.get();
    BillingPeriods periods = periods(current);
    Instant periodStart = periods.periodStart(now);
    long load = view.nextLoad();
    StoredUseQuery.Loaded loaded =
        stored.load(
            Set.of(orgId),
            false,
            new StoredUseQuery.AsOf(
                now,
                now.minus(current.sessionHeartbeatTimeout()),
                periodStart,
                periods.periodEnd(now),
                current.meters().maxCounterIds()),
            () -> view.reportIds(orgId));
    view.loaded(
        orgId,
        loaded.accounts().get(orgId),
        loaded.storedReports(),
        periodStart,
        now.minus(KEEP_SEEN_HERE),
        load,
        now);
    sessionOrgs.stored(loaded.accounts());
  }

  /** The billing periods of the config: admission counts the current one's counters. */
  static BillingPeriods periods(BillingConfig config) {
    return new BillingPeriods(config.invoiceDay(), config.billingTimeZone());
  }
}
