package io.streamspace.billing.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.plugin.api.jobs.JobOutcome;
import io.streamspace.plugin.api.jobs.JobRun;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * check-range-indexes, scheduled by the plugin, on its schema: each of the usage records' BRIN
 * indexes is counted through with its condition no record meets (the mends are {@code
 * RangeIndexTest}'s).
 */
class CheckRangeIndexesJobTest {

  private final BillingHarness billing = new BillingHarness(Instant.parse("2026-03-01T00:00:00Z"));

  @AfterEach
  void unload() {
    billing.close();
  }

  @Test
  void bothIndexesOfVacuumedRecordsReturnAtMostTheirLastRangeForNoRecord() {
    records(6_000);

    JobRun run = billing.runAt(CheckRangeIndexesJob.NAME, "2026-03-01T01:40:00Z");

    assertEquals(JobOutcome.SUCCEEDED, run.outcome(), run.message());
    assertEquals(0, run.rowsTouched(), run.message());
    // at most the last range's pages, which a VACUUM leaves unsummarized while it is not full
    String fewPages = "([0-9]|[12][0-9]|3[01]) page\\(s\\) for no row";
    assertTrue(
        run.message()
            .matches(
                "billing_usage_records_run_brin: %1$s; billing_usage_records_slice_start: %1$s"
                    .formatted(fewPages)),
        run.message());
  }

  @Test
  void aFewRecordsWhoseCountThePlannerReadsThroughAnotherIndexAreCheckedWithoutFailing() {
    // the demo's size: the runs index (a B-tree on account, run and slice) serves the count of
    // no run better than the BRIN index
    records(10);

    JobRun run = billing.runAt(CheckRangeIndexesJob.NAME, "2026-03-01T01:40:00Z");

    assertEquals(JobOutcome.SUCCEEDED, run.outcome(), run.message());
    assertTrue(
        run.message()
            .startsWith(
                "billing_usage_records_run_brin: not used for the count (the table is read another"
                    + " way)"),
        run.message());
  }

  private static void records(int records) {
    TestDatabase.execute(
        """
        INSERT INTO billing_usage_records (user_id, session_id, resource_type, slice_start,
            slice_end, unit_seconds, unit, unit_price, currency, created_at, rating_run)
        SELECT 'org-' || n, 's-' || n, 'cpu', timestamptz '2026-03-01 00:00',
               timestamptz '2026-03-01 01:00', 3600, 'core-hours', 0.05, 'USD',
               timestamptz '2026-03-01 01:00', 1
        FROM generate_series(1, %d) n"""
            .formatted(records));
    TestDatabase.execute("VACUUM ANALYZE billing_usage_records");
  }
}
