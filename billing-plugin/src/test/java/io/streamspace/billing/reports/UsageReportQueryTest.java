package io.streamspace.billing.reports;

import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.TestDatabase;
import java.io.IOException;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The report's cursor: rows handed on one at a time, and the transaction ended either way. */
class UsageReportQueryTest {

  private final BillingHarness billing = new BillingHarness(at("2026-03-01T00:00:00Z"));
  private final UsageReportQuery query = new UsageReportQuery(TestDatabase.dataSource());

  @AfterEach
  void unload() {
    billing.close();
  }

  /**
   * A sink failing at the first row, as a client gone away fails the write: the failure reaches
   * the caller and no transaction is left open on the connection it used.
   */
  @Test
  void aSinkFailingMidwayEndsTheReadAndLeavesNoTransactionOpen() throws Exception {
    billing.userCreated("ann", Map.of());
    billing.userCreated("bob", Map.of());
    billing.flush();
    billing.created("2026-03-02T08:00:00Z", "s1", "ann", size("1", "1", "0"));
    billing.terminated("2026-03-02T09:00:00Z", "s1", "ann");
    billing.created("2026-03-02T08:00:00Z", "s2", "bob", size("1", "1", "0"));
    billing.terminated("2026-03-02T09:00:00Z", "s2", "bob");
    billing.calculateUsageAt("2026-03-03T00:00:00Z");
    List<String> read = new ArrayList<>();

    IOException failure =
        assertThrows(
            IOException.class,
            () ->
                query.forEachRow(
                    ReportGrouping.USER,
                    at("2026-03-01T00:00:00Z"),
                    at("2026-04-01T00:00:00Z"),
                    ZoneOffset.UTC,
                    row -> {
                      read.add(row.group() + " " + row.line().resourceType());
                      throw new IOException("the client went away");
                    }));

    assertEquals("the client went away", failure.getMessage());
    assertEquals(List.of("ann cpu"), read, "the rows after the failure are not read");
    assertEquals(
        0L,
        value(
            "SELECT count(*) FROM pg_stat_activity"
                + " WHERE datname = current_database() AND state LIKE 'idle in transaction%'"));
    List<String> again = new ArrayList<>();
    query.forEachRow(
        ReportGrouping.USER,
        at("2026-03-01T00:00:00Z"),
        at("2026-04-01T00:00:00Z"),
        ZoneOffset.UTC,
        row -> again.add(row.group() + " " + row.line().resourceType()));
    assertEquals(List.of("ann cpu", "ann memory", "bob cpu", "bob memory"), again);
  }
}
