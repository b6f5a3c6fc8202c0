package io.streamspace.benchmark;

import java.time.Duration;
import java.util.List;

/**
 * Host start to ready on an initialized database: stops the running host and starts another on
 * the same data folder, timed from the start until {@code /api/health} answers 200. The new host
 * starts its embedded PostgreSQL, as {@code java -jar host-sample.jar} does.
 */
public final class StartWorkload implements Workload {

  static final String NAME = "start";
  private static final Duration TARGET = Duration.ofSeconds(5);
  private static final Duration READY_WITHIN = Duration.ofMinutes(2);

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<BenchRow> run(BenchContext context) throws Exception {
    context.progress().line(NAME + ": stopping the host, starting another on the same data");
    BenchHost host = context.host();
    long began = System.nanoTime();
    host.restart();
    BenchHttp http = new BenchHttp(host.baseUrl());
    while (http.get("/api/health", null).status() != 200) {
      if (EventSender.since(began).compareTo(READY_WITHIN) > 0) {
        throw new IllegalStateException("/api/health did not answer 200 within " + READY_WITHIN);
      }
      Thread.onSpinWait();
    }
    Duration ready = EventSender.since(began);
    context.progress().line(NAME + ": ready after " + ready.toMillis() + " ms");
    return List.of(
        BenchRows.timed(
            "start: host start to ready (/api/health 200), database initialized",
            "a second start on the same data folder, embedded PostgreSQL included",
            ready,
            "≤ 5 s",
            ready.compareTo(TARGET) <= 0));
  }
}
