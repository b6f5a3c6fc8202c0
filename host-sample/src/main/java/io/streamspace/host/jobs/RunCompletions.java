package io.streamspace.host.jobs;

import io.streamspace.host.threads.Daemons;
import io.streamspace.plugin.api.http.DatabaseOutage;
import io.streamspace.plugin.api.jobs.JobRun;
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
  private static final Duration GIVE_UP_AFTER = Duration.ofMinutes(10);

  private final JobRunStore runs;
  private final Map<String, CompletableFuture<JobRun>> pending = new ConcurrentHashMap<>();
  private final ScheduledExecutorService poller = Daemons.scheduler("job-run-poller");

  public RunCompletions(JobRunStore runs) {
    this.runs = runs;
  }

  /** A future completed when the run with this request id has been recorded. */
  public CompletableFuture<JobRun> await(String requestId) {
    CompletableFuture<JobRun> future = new CompletableFuture<>();
    pending.put(requestId, future);
    ScheduledFuture<?> polling =
        poller.scheduleWithFixedDelay(
            () -> poll(requestId),
            POLL_EVERY.toMillis(),
            POLL_EVERY.toMillis(),
            TimeUnit.MILLISECONDS);
    future.orTimeout(GIVE_UP_AFTER.toMillis(), TimeUnit.MILLISECONDS);
    future.whenComplete(
        (run, failure) -> {
          polling.cancel(false);
          pending.remove(requestId);
          if (failure instanceof TimeoutException) {
            log.warn("Gave up waiting for manual job run {}", requestId);
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
