package io.streamspace.host.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.streamspace.plugin.api.jobs.JobRun;
import io.streamspace.plugin.api.jobs.JobScheduler;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** The host's wait for a manual run: one bound, shared with the routes that wait for it. */
class RunCompletionsTest {

  @Test
  void theHostGivesUpOnAManualRunAtTheOneBoundTheRoutesWaitToo() {
    // the billing plugin's POST /jobs/{name} waits JobScheduler.MANUAL_RUN_WAIT (JobRoutesTest)
    try (RunCompletions completions = new RunCompletions(new JobRunStore(null))) {
      assertEquals(JobScheduler.MANUAL_RUN_WAIT, completions.giveUpAfter());
    }
  }

  @Test
  void aRunNotEndedWithinTheBound_failsItsFutureWithATimeout_soAWaitingRouteAnswersStillRunning() {
    // 50 ms is shorter than the first poll (250 ms): nothing reads the store before giving up
    try (RunCompletions completions =
        new RunCompletions(new JobRunStore(null), Duration.ofMillis(50))) {
      CompletableFuture<JobRun> run = completions.await("request-1");

      ExecutionException failed =
          assertThrows(ExecutionException.class, () -> run.get(10, TimeUnit.SECONDS));
      assertInstanceOf(TimeoutException.class, failed.getCause());
    }
  }
}
