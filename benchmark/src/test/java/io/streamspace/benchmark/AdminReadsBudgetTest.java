package io.streamspace.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.benchmark.AdminReadsWorkload.Route;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * admin-reads' time budget per route: a route slower than its budget ends the route's requests
 * (the warm-up included) once it has run out, with the requests measured so far (at least one),
 * and the row says how many of the planned ones they were; within the budget every request is
 * sent.
 */
class AdminReadsBudgetTest {

  @Test
  void aSpentBudgetSkipsTheWarmUpAndMeasuresOneRequest_theRowSaysSo() throws Exception {
    AtomicInteger sent = new AtomicInteger();
    Route route = new Route("GET /slow", sent::incrementAndGet);

    BenchRow row = AdminReadsWorkload.measure(route, 10, "300 organizations", Duration.ZERO);

    assertEquals(1, sent.get(), "no warm-up, one measured request");
    assertTrue(
        row.size().endsWith("; 1 of the 10 requests measured: the route's 0 s budget ran out"),
        row.size());
    assertTrue(row.p99() != null && row.p50() != null, "its one time is both percentiles");
  }

  @Test
  void withinTheBudgetEveryRequestAndTheWarmUpAreSent() throws Exception {
    AtomicInteger sent = new AtomicInteger();
    Route route = new Route("GET /fast", sent::incrementAndGet);

    BenchRow row = AdminReadsWorkload.measure(route, 10, "300 organizations", Duration.ofHours(1));

    // 10 measured after 10 / 5 = 2 to warm up
    assertEquals(12, sent.get());
    assertEquals("300 organizations", row.size());
  }
}
