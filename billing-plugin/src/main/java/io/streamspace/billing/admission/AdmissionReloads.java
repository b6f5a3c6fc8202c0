package io.streamspace.billing.admission;

import io.streamspace.plugin.api.http.DatabaseOutage;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pace of admission's reloads: the view is loaded at {@link #start}, then reloaded on a
 * daemon thread of its own, each reload {@link #pauseAfter} the one before, until {@link #close}.
 * A reload that fails (the database away) keeps the last view and is tried again after {@link
 * #REFRESH_INTERVAL}.
 */
final class AdmissionReloads implements AutoCloseable {

  /** One reload of the view from the database. */
  @FunctionalInterface
  interface Reload {
    /** Reloads; answers how long it paused (between slices of its reads), not working. */
    Duration run() throws SQLException, InterruptedException;
  }

  // logged under admission's name, where operators read its lines
  private static final Logger log = LoggerFactory.getLogger(Admission.class);

  /**
   * How long the view waits between reloads from the database, at least ({@link #pauseAfter}).
   */
  static final Duration REFRESH_INTERVAL = Duration.ofSeconds(5);

  /**
   * A reload reads every account with an open session, so its time grows with them (2.1 s for
   * 99,000 open sessions on a busy 2-core machine, {@code AdmissionBenchmark}); the pause after
   * it is this many times as long as its own work (its pauses between slices of its reads left
   * out, {@link AdmissionViewLoads#reload}) when that is longer than {@link #REFRESH_INTERVAL},
   * so the reloading thread works a tenth of the time at most, instead of a third or, past 5 s a
   * reload, all of it (until a reload takes over 6.7 s: past that the pause stays {@link
   * #LONGEST_PAUSE}).
   */
  static final int PAUSE_PER_RELOAD = 9;

  /**
   * The longest pause, whatever a reload took: the staleness bound stays within a minute and a
   * reload.
   */
  static final Duration LONGEST_PAUSE = Duration.ofSeconds(60);

  /** How long a stop waits for a reload in progress. */
  static final Duration STOP_WAIT = Duration.ofSeconds(5);

  private final Reload reload;
  // set by start() and close(), read by the reloads that schedule the next
  private volatile ScheduledExecutorService refresher;
  // the pause after the last reload, before the next (tests read it)
  private volatile Duration pause = REFRESH_INTERVAL;

  // set by close(): a reload failing from then on was cut short by the stop
  private volatile boolean stopping;

  AdmissionReloads(Reload reload) {
    this.reload = reload;
  }

  /**
   * Loads the view now, then reloads it on a daemon thread, each reload {@link #pauseAfter} the
   * one before.
   */
  synchronized void start() {
    ScheduledThreadPoolExecutor scheduler =
        new ScheduledThreadPoolExecutor(
            1,
            task -> {
              Thread thread = new Thread(task, "billing-admission-refresh");
              thread.setDaemon(true);
              return thread;
            });
    // a stop cancels the next reload, waiting for its pause, rather than running it
    scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    refresher = scheduler;
    reloadAndPause();
  }

  /**
   * The pause after a reload that took {@code took}: {@link #REFRESH_INTERVAL}, or {@link
   * #PAUSE_PER_RELOAD} times as long as the reload when that is longer, {@link #LONGEST_PAUSE} at
   * most.
   */
  static Duration pauseAfter(Duration took) {
    Duration paced = took.multipliedBy(PAUSE_PER_RELOAD);
    if (paced.compareTo(LONGEST_PAUSE) > 0) {
      return LONGEST_PAUSE;
    }
    return paced.compareTo(REFRESH_INTERVAL) > 0 ? paced : REFRESH_INTERVAL;
  }

  /** The pause the view waits now before its next reload. */
  Duration pause() {
    return pause;
  }

  private void reloadAndPause() {
    long began = System.nanoTime(); // an elapsed time, not an instant: no clock reads it
    Duration paused = reloadLogged();
    // a failed reload (the database away) says nothing of the view's size: the next comes soon;
    // one that paused between its slices is paced by its own time, without its pauses
    pause =
        paused == null
            ? REFRESH_INTERVAL
            : pauseAfter(Duration.ofNanos(System.nanoTime() - began).minus(paused));
    ScheduledExecutorService scheduler = refresher;
    if (scheduler == null || stopping) {
      return;
    }
    try {
      scheduler.schedule(this::reloadAndPause, pause.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // close() shut the scheduler down meanwhile: no next reload
    }
  }

  /**
   * Reloads the view; answers how long the reload paused, or null when it failed (the failure
   * logged).
   */
  private Duration reloadLogged() {
    try {
      return reload.run();
    } catch (InterruptedException e) {
      // only a stop interrupts a reload (close(), once its wait is over)
      Thread.currentThread().interrupt();
      log.debug("admission view reload cut short by the plugin's stop ({})", e.toString());
      return null;
    } catch (SQLException | RuntimeException e) {
      if (stopping) {
        // the plugin is unloading (the host stopping): a reload cut short is no failure
        log.debug("admission view reload cut short by the plugin's stop ({})", e.toString());
      } else if (DatabaseOutage.causedBy(e)) {
        // one line per reload for as long as the outage lasts, not a stack trace each
        log.warn("admission view not reloaded, the database cannot be reached ({})", e.toString());
      } else {
        log.warn("admission view not reloaded, the last one stays in use", e);
      }
      return null;
    }
  }

  /**
   * Stops the reloads before the plugin's pool can go: no new one starts, the one running is
   * waited for (at most {@link #STOP_WAIT}, then interrupted), and one the stop cuts short logs
   * no failure.
   */
  @Override
  public synchronized void close() {
    stopping = true;
    if (refresher == null) {
      return;
    }
    refresher.shutdown();
    try {
      if (!refresher.awaitTermination(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        refresher.shutdownNow();
      }
    } catch (InterruptedException e) {
      refresher.shutdownNow();
      Thread.currentThread().interrupt();
    }
    refresher = null;
  }
}
