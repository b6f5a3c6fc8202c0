package io.streamspace.host.jobs;

import io.streamspace.host.threads.Daemons;
import io.streamspace.plugin.api.http.DatabaseOutage;
import io.streamspace.plugin.api.jobs.JobRun;
import io.streamspace.plugin.api.jobs.JobScheduler;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Futures of manual runs ({@code runNow}). A run that happens on this node completes its future
 * directly; one that another cluster node picked up is found by polling {@code host_job_runs}
 * for its request id.
 */
public final class RunCompletions implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RunCompletions.class);
  private static final Duration POLL_EVERY = Duration.ofMillis(250);

  private final JobRunStore runs;
  private final Duration giveUpAfter;
  private final Map<String, CompletableFuture<JobRun>> pending = new ConcurrentHashMap<>();
  private final ScheduledExecutorService poller = Daemons.scheduler("job-run-poller");

  /** Gives up waiting after {@link JobScheduler#MANUAL_RUN_WAIT}, as the routes that wait do. */
  public RunCompletions(JobRunStore runs) {
    this(runs, JobScheduler.MANUAL_RUN_WAIT);
  }

  RunCompletions(JobRunStore runs, Duration giveUpAfter) {
    this.runs = runs;
    this.giveUpAfter = giveUpAfter;
  }

  /** How long {@link #await} waits before its future fails with a TimeoutException. */
  Duration giveUpAfter() {
    return giveUpAfter;
  }

  /**
   * A future completed when the run with this request id has been recorded, or exceptionally
   * with a {@link TimeoutException} after {@link #giveUpAfter} (the run goes on; its record tells
   * its end).
   */
  public CompletableFuture<JobRun> await(String requestId) {
    CompletableFuture<JobRun> future = new CompletableFuture<>();
    pending.put(requestId, future);
    ScheduledFuture<?> polling =
        poller.scheduleWithFixedDelay(
            () -> poll(requestId),
            POLL_EVERY.toMillis(),
            POLL_EVERY.toMillis(),
            TimeUnit.MILLISECONDS);
    future.orTimeout(giveUpAfter.toMillis(), TimeUnit.MILLISECONDS);
    future.whenComplete(
        (run, failure) -> {
          polling.cancel(false);
          pending.remove(requestId);
          if (failure instanceof TimeoutException) {
            log.info(
                "Stopped waiting for manual job run {} after {} s; it goes on",
                requestId,
                giveUpAfter.toSeconds());
          }
        });
    return future;
  }

  /** The run of {@code requestId} was recorded on this node. */
  public void complete(String requestId, JobRun run) {
    CompletableFuture<JobRun> future = pending.get(requestId);
    if (future != null) {
      future.complete(run);
    }
  }

  private void poll(String requestId) {
    CompletableFuture<JobRun> future = pending.get(requestId);
    if (future == null) {
      return;
    }
    try {
      runs.findByRequestId(requestId).ifPresent(future::complete);
    } catch (RuntimeException e) {
      // polled four times a second: an outage, logged where it is met, is not logged again here
      if (!DatabaseOutage.causedBy(e)) {
        log.warn("Polling for manual job run {} failed; will retry", requestId, e);
      }
    }
  }

  @Override
  public void close() {
    poller.shutdownNow();
  }
}
