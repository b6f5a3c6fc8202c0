package io.streamspace.host.threads;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/** The host's background timers: one named daemon thread each, so none holds the JVM open. */
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
}
