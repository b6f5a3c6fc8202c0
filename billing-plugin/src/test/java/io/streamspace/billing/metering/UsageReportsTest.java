package io.streamspace.billing.metering;

import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.rows;
import static io.streamspace.billing.support.BillingHarness.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.billing.money.BillingPeriods;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.billing.support.TestPluginContext.DeadLetter;
import io.streamspace.plugin.api.event.UsageReport;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Usage reports of counted meters are stored through the same write-behind path as session
 * events, once per event id, and counted per billing period. Periods start on the 15th at
 * midnight in Ho Chi Minh City (UTC+7): March's starts at 2026-03-14T17:00:00Z.
 */
class UsageReportsTest {

  private static final BillingPeriods PERIODS =
      new BillingPeriods(15, ZoneId.of("Asia/Ho_Chi_Minh"));

  private final BillingHarness billing =
      new BillingHarness(
          at("2026-03-20T00:00:00Z"),
          "{\"invoiceDay\": 15, \"billingTimeZone\": \"Asia/Ho_Chi_Minh\"}");
  private final UsageCounters counters = new UsageCounters(TestDatabase.dataSource());

  private final Map<String, UsageReport> reports =
      Map.of(
          "lastSecondOfFebruarysPeriod",
          report("r1", "2026-03-14T16:59:59Z", "ann", "bandwidth_gb", "5"),
          "firstInstantOfMarchs",
          report("r2", "2026-03-14T17:00:00Z", "ann", "bandwidth_gb", "2.5"),
          "aMillionthLater",
          report("r3", "2026-03-20T10:00:00Z", "ann", "bandwidth_gb", "0.000001"),
          "anotherMeter",
          report("r4", "2026-03-20T10:00:00Z", "ann", "ai_queries", "7"),
          "anotherUser",
          report("r5", "2026-03-20T10:00:00Z", "bob", "bandwidth_gb", "100"));

  @AfterEach
  void unload() {
    billing.close();
  }

  @Test
  void aPeriodsCounterIsTheSumOfItsReports_eachCountedOnceWhateverTheDeliveryOrder()
      throws Exception {
    billing.deliverInFlushes(
        "aMillionthLater firstInstantOfMarchs | anotherUser anotherMeter firstInstantOfMarchs"
            + " | lastSecondOfFebruarysPeriod aMillionthLater | firstInstantOfMarchs",
        name -> billing.billing.onUsageReported(billing.context, reports.get(name)));

    assertEquals(5L, value("SELECT count(*) FROM billing_usage_reports"));
    assertEquals(
        "2.500001",
        counters
            .inPeriod("ann", "bandwidth_gb", PERIODS, at("2026-04-14T16:59:59Z"))
            .toPlainString());
    assertEquals(
        "5",
        counters
            .inPeriod("ann", "bandwidth_gb", PERIODS, at("2026-03-14T16:59:59Z"))
            .toPlainString());
    assertEquals(
        "7",
        counters.inPeriod("ann", "ai_queries", PERIODS, at("2026-03-20T00:00:00Z")).toString());
    assertEquals(
        "0",
        counters
            .inPeriod("ann", "transcoding_minutes", PERIODS, at("2026-03-20T00:00:00Z"))
            .toString());
  }

  @Test
  void aReportOfAUserWithoutAnAccountOpensOneThatStartsAtTheReport() {
    billing.billing.onUsageReported(billing.context, reports.get("anotherUser"));
    billing.flush();

    assertEquals(
        List.of(List.of("bob", Timestamp.from(at("2026-03-20T10:00:00Z")), "USD")),
        rows("SELECT user_id, created_at, currency FROM billing_accounts"));
    assertEquals(1L, value("SELECT count(*) FROM billing_subscriptions WHERE user_id = 'bob'"));
  }

  @Test
  void aReportTheDatabaseRefusesIsSetAsideAndTheOthersStored() {
    UsageReport nulInMeter = report("r-nul", "2026-03-20T10:00:00Z", "ann", "ai\0queries", "1");
    billing.billing.onUsageReported(billing.context, reports.get("firstInstantOfMarchs"));
    billing.billing.onUsageReported(billing.context, nulInMeter);
    billing.billing.onUsageReported(billing.context, reports.get("anotherMeter"));
    billing.flush();

    assertEquals(
        List.of(List.of("r2"), List.of("r4")),
        rows("SELECT event_id FROM billing_usage_reports ORDER BY event_id"));
    List<DeadLetter> setAside = billing.context.deadLettersRecorded();
    assertEquals(1, setAside.size());
    assertEquals("onUsageReported", setAside.get(0).hook());
    assertEquals(nulInMeter, setAside.get(0).event());
    assertTrue(setAside.get(0).reason().startsWith("SQLState 22"), setAside.get(0).reason());
  }

  private static UsageReport report(
      String id, String at, String user, String meter, String quantity) {
    return new UsageReport(id, at(at), user, meter, new BigDecimal(quantity), null);
  }
}
