package io.streamspace.host.threads;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

/** The host's background threads, named and daemons, so none holds the JVM open. */
public final class Daemons {

  private Daemons() {}

  /** A single-thread scheduler whose thread is a daemon called {@code threadName}. */
  public static ScheduledExecutorService scheduler(String threadName) {
    return Executors.newSingleThreadScheduledExecutor(
        runnable -> {
          Thread thread = new Thread(runnable, threadName);
          thread.setDaemon(true);
          return thread;
        });
  }

  /** A pool of {@code size} daemon threads called {@code namePrefix-1}, {@code namePrefix-2}... */
  public static ExecutorService pool(String namePrefix, int size) {
    AtomicInteger made = new AtomicInteger();
    return Executors.newFixedThreadPool(
        size,
        runnable -> {
          Thread thread = new Thread(runnable, namePrefix + "-" + made.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        });
  }
}
