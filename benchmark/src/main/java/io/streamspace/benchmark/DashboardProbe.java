package io.streamspace.benchmark;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;

/**
 * {@code GET /api/plugins/billing/admin/dashboard} (the default twelve months) as an admin, one
 * request at a time, for {@code bench --scale}: a few requests to warm up, then the median of
 * the timed ones. Small on purpose: the dashboard's own workload, with its p99 target, is the
 * read workloads' part; this one only shows how one answer's time grows with the organizations
 * behind it.
 */
final class DashboardProbe {

  static final String ROUTE = "/admin/dashboard";
  private static final int WARM_UP = 3;
  private static final int TIMED = 11;

  private DashboardProbe() {}

  /** The median time of {@value #TIMED} requests; fails unless each answers 200 with figures. */
  static Duration median(BenchContext context) throws IOException, InterruptedException {
    BillingClient billing = new BillingClient(context);
    for (int i = 0; i < WARM_UP; i++) {
      check(billing.get(ROUTE, context.adminToken()));
    }
    long[] nanos = new long[TIMED];
    for (int i = 0; i < TIMED; i++) {
      long began = System.nanoTime();
      JsonNode answer = billing.get(ROUTE, context.adminToken());
      nanos[i] = System.nanoTime() - began;
      check(answer);
    }
    Arrays.sort(nanos);
    return Duration.ofNanos(nanos[TIMED / 2]);
  }

  private static void check(JsonNode answer) {
    if (!answer.path("revenue_by_month").isArray()) {
      throw new IllegalStateException("the dashboard answered no revenue by month: " + answer);
    }
  }
}
