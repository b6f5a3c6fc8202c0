package io.streamspace.host.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The pool Quartz runs the host's jobs on: as Quartz's own, but an idle one stops at once. */
class QuartzWorkersTest {

  private static QuartzWorkers started(int threads) {
    return started("test-scheduler", threads);
  }

  private static QuartzWorkers started(String name, int threads) {
    QuartzWorkers workers = new QuartzWorkers();
    workers.setThreadCount(threads);
    workers.setInstanceName(name);
    workers.initialize();
    return workers;
  }

  @Test
  void anIdleWorkerWaitsForAJobWithoutATimer_soAStopEndsItAtOnce() throws Exception {
    QuartzWorkers workers = started("idle-pool", 3);
    List<Thread> idle =
        Thread.getAllStackTraces().keySet().stream()
            .filter(thread -> thread.getName().startsWith("idle-pool_Worker-"))
            .toList();
    assertEquals(3, idle.size(), idle.toString());

    for (Thread worker : idle) {
      awaitBlocked(worker);
      // Quartz's SimpleThreadPool's idle workers wait 500 ms at a time (TIMED_WAITING) and look
      // whether to stop after each wait, which its stop waited for: these wait for a signal only
      assertEquals(Thread.State.WAITING, worker.getState(), worker.getName());
    }

    workers.shutdown(true);

    for (Thread worker : idle) {
      worker.join(10_000);
      assertFalse(worker.isAlive(), worker.getName() + " still runs after the stop");
    }
  }

  @Test
  void aStopThatWaitsForJobs_returnsOnlyOnceTheRunningJobHasEnded() throws Exception {
    QuartzWorkers workers = started(2);
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    List<String> ranOn = new CopyOnWriteArrayList<>();
    assertTrue(
        workers.runInThread(
            () -> {
              ranOn.add(Thread.currentThread().getName());
              running.countDown();
              awaitQuietly(release);
            }));
    assertTrue(running.await(10, TimeUnit.SECONDS));

    CompletableFuture<Void> stopped = CompletableFuture.runAsync(() -> workers.shutdown(true));

    assertFalse(stopped.isDone() || awaitDone(stopped, 200), "stopped while a job ran");
    release.countDown();
    stopped.get(10, TimeUnit.SECONDS);
    assertTrue(ranOn.get(0).startsWith("test-scheduler_Worker-"), ranOn.toString());
  }

  @Test
  void theSchedulerThreadWaitsForAFreeWorker_andIsToldHowManyAreFree() throws Exception {
    QuartzWorkers workers = started(1);
    assertEquals(1, workers.blockForAvailableThreads());
    CountDownLatch release = new CountDownLatch(1);
    workers.runInThread(() -> awaitQuietly(release));

    CompletableFuture<Integer> free =
        CompletableFuture.supplyAsync(workers::blockForAvailableThreads);

    assertFalse(awaitDone(free, 200), "told of a free worker while the only one is busy");
    release.countDown();
    assertEquals(1, free.get(10, TimeUnit.SECONDS));
    workers.shutdown(true);
  }

  @Test
  void aJobHandedOnAsThePoolStops_stillRuns() throws Exception {
    QuartzWorkers workers = started(1);
    workers.shutdown(true);
    CountDownLatch ran = new CountDownLatch(1);

    assertTrue(workers.runInThread(ran::countDown), "accepted: refused, its trigger would err");

    assertTrue(ran.await(10, TimeUnit.SECONDS));
    assertEquals(0, workers.blockForAvailableThreads(), "no worker offered once stopped");
  }

  /** Until the thread, just started, blocks waiting for its first job (10 s at most). */
  private static void awaitBlocked(Thread thread) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while ((thread.getState() == Thread.State.NEW || thread.getState() == Thread.State.RUNNABLE)
        && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
  }

  private static boolean awaitDone(CompletableFuture<?> future, long millis) {
    try {
      future.get(millis, TimeUnit.MILLISECONDS);
      return true;
    } catch (Exception notYet) {
      return false;
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
