package io.streamspace.host.jobs;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.quartz.spi.ThreadPool;

/**
 * The threads Quartz runs jobs on, as Quartz's {@code SimpleThreadPool} offers them (a fixed
 * count, named {@code <scheduler>_Worker-<n>}; a job handed on while the pool stops still runs,
 * on a thread of its own), but on a JDK pool: a stop ends idle workers at once, where {@code
 * SimpleThreadPool}'s look whether to stop only every 500 ms, which {@link HostScheduler#close}
 * waited for at every host stop.
 */
public final class QuartzWorkers implements ThreadPool {

  private final Object lock = new Object();
  private int threadCount = 3;
  private String instanceName = "quartz";
  private ThreadPoolExecutor executor;
  private int busy;
  private boolean stopping;

  /** Set by Quartz from {@code org.quartz.threadPool.threadCount}. */
  public void setThreadCount(int threadCount) {
    if (threadCount < 1) {
      throw new IllegalArgumentException("threadCount must be at least 1: " + threadCount);
    }
    this.threadCount = threadCount;
  }

  @Override
  public void setInstanceId(String schedInstId) {}

  @Override
  public void setInstanceName(String schedName) {
    this.instanceName = schedName;
  }

  @Override
  public void initialize() {
    AtomicInteger number = new AtomicInteger();
    ThreadFactory threads =
        task -> new Thread(task, instanceName + "_Worker-" + number.incrementAndGet());
    executor =
        new ThreadPoolExecutor(
            threadCount,
            threadCount,
            0,
            TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(),
            threads);
    // made now, as SimpleThreadPool makes its own: in the thread (and class loader) starting Quartz
    executor.prestartAllCoreThreads();
  }

  @Override
  public int getPoolSize() {
    return threadCount;
  }

  /**
   * Blocks until a worker is free or the pool stops, as Quartz's scheduler thread expects; none is
   * offered once it stops.
   */
  @Override
  public int blockForAvailableThreads() {
    synchronized (lock) {
      while (busy >= threadCount && !stopping) {
        waitOnLock();
      }
      return stopping ? 0 : threadCount - busy;
    }
  }

  @Override
  public boolean runInThread(Runnable job) {
    if (job == null) {
      return false;
    }
    synchronized (lock) {
      while (busy >= threadCount && !stopping) {
        waitOnLock();
      }
      if (stopping) {
        // as SimpleThreadPool does: a job fired as the scheduler stops still runs (refusing it
        // would put its trigger in the ERROR state in the job store)
        new Thread(job, instanceName + "_Worker-stopping").start();
        return true;
      }
      busy++;
    }
    executor.execute(
        () -> {
          try {
            job.run();
          } finally {
            synchronized (lock) {
              busy--;
              lock.notifyAll();
            }
          }
        });
    return true;
  }

  /** Ends the idle workers at once; with {@code waitForJobsToComplete}, waits for the busy ones. */
  @Override
  public void shutdown(boolean waitForJobsToComplete) {
    synchronized (lock) {
      stopping = true;
      lock.notifyAll();
    }
    if (executor == null) {
      return; // never initialized
    }
    executor.shutdown();
    if (waitForJobsToComplete) {
      try {
        // without a bound, as Quartz's own pool waits (HostScheduler bounds it before)
        executor.awaitTermination(Long.MAX_VALUE, TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Waits for a worker to come free; an interrupt only ends this wait, as in SimpleThreadPool. */
  private void waitOnLock() {
    try {
      lock.wait();
    } catch (InterruptedException ignored) {
      // the caller looks again whether a worker is free or the pool stops
    }
  }
}
