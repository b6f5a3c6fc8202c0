package io.streamspace.billing.quota;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamspace.billing.catalog.LimitKind;
import io.streamspace.billing.catalog.Meter;
import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.plugin.api.event.EventPublisher;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A page of accounts' quota alerts: claimed in one statement, told in one publishing (one write
 * in the host), each threshold of a meter once a period, whoever claimed it first.
 */
class QuotaAlertsTest {

  private static final Instant PERIOD = Instant.parse("2026-03-01T00:00:00Z");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Each publishing: its events as "type org meter". */
  private final List<List<String>> publishings = new ArrayList<>();

  private final QuotaAlerts alerts =
      new QuotaAlerts(
          TestDatabase.dataSource(),
          new BillingEvents(
              new EventPublisher() {
                @Override
                public void publish(String type, String payloadJson) {
                  publishings.add(List.of(told(new Event(type, payloadJson))));
                }

                @Override
                public void publishAll(List<Event> events) {
                  publishings.add(events.stream().map(QuotaAlertsTest::told).toList());
                }
              }),
          Clock.fixed(Instant.parse("2026-03-10T12:00:00Z"), ZoneOffset.UTC));

  /** The plugin loaded on an empty database: its schema, no alert yet. */
  private final BillingHarness billing = new BillingHarness(Instant.parse("2026-03-10T12:00:00Z"));

  @AfterEach
  void unload() {
    billing.close();
  }

  @Test
  void aPagesAlertsAreToldInOnePublishing_inItsOrder_warningBeforeExceeded_andNotAgain()
      throws SQLException {
    List<AccountQuota> page =
        List.of(
            account(
                "qa-b",
                meter(Meter.STORAGE_GB, "9.5", "10", "95.0", QuotaState.WARNING),
                meter(Meter.ACTIVE_SESSIONS, "3", "2", "150.0", QuotaState.EXCEEDED)),
            account("qa-a", meter(Meter.CPU_CORES, "0.5", "0", null, QuotaState.EXCEEDED)),
            account("qa-c", meter(Meter.MEMORY_GB, "1", "8", "12.5", QuotaState.OK)));

    assertEquals(5, alerts.send(page));

    assertEquals(
        List.of(
            List.of(
                "billing.quota.warning qa-b storage_gb",
                "billing.quota.warning qa-b active_sessions",
                "billing.quota.exceeded qa-b active_sessions",
                "billing.quota.warning qa-a cpu_cores",
                "billing.quota.exceeded qa-a cpu_cores")),
        publishings);
    // the figures stored as the alerts told them (a limit of zero has no percent)
    assertEquals("9.5 10 95.0", stored("qa-b", "storage_gb", "warning"));
    assertEquals("0.5 0 null", stored("qa-a", "cpu_cores", "exceeded"));

    publishings.clear();
    assertEquals(0, alerts.send(page), "a re-run finds every alert claimed");
    assertEquals(List.of(), publishings, "and publishes nothing, not even an empty publishing");
  }

  @Test
  void anAlertAnotherNodeClaimedFirstIsNotToldHere_theRestOfThePageIs() throws SQLException {
    TestDatabase.execute(
        """
        INSERT INTO billing_quota_alerts
          (user_id, meter, threshold, period_start, used, quota_limit, percent, sent_at)
        VALUES ('qa-d', 'storage_gb', 'warning', '2026-03-01T00:00:00Z', 9, 10, 90,
                '2026-03-10T11:59:00Z')""");

    int sent =
        alerts.send(
            List.of(
                account("qa-d", meter(Meter.STORAGE_GB, "10", "10", "100.0", QuotaState.EXCEEDED)),
                account("qa-e", meter(Meter.STORAGE_GB, "9", "10", "90.0", QuotaState.WARNING))));

    assertEquals(2, sent);
    assertEquals(
        List.of(
            List.of(
                "billing.quota.exceeded qa-d storage_gb", "billing.quota.warning qa-e storage_gb")),
        publishings);
    assertEquals("9 10 90", stored("qa-d", "storage_gb", "warning"), "the other node's row kept");
  }

  private static AccountQuota account(String org, MeterQuota... meters) {
    return new AccountQuota(org, Currency.getInstance("USD"), PERIOD, List.of(meters));
  }

  private static MeterQuota meter(
      Meter meter, String used, String limit, String percent, QuotaState state) {
    return new MeterQuota(
        meter,
        new BigDecimal(used),
        new BigDecimal(limit),
        percent == null ? null : new BigDecimal(percent),
        LimitKind.HARD,
        state,
        null,
        null);
  }

  private static String told(EventPublisher.Event event) {
    try {
      JsonNode alert = JSON.readTree(event.payloadJson());
      return event.type() + " " + alert.get("user_id").asText() + " " + alert.get("meter").asText();
    } catch (java.io.IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The stored row's used, limit and percent. */
  private static String stored(String org, String meter, String threshold) throws SQLException {
    try (Connection connection = TestDatabase.dataSource().getConnection();
        Statement statement = connection.createStatement();
        ResultSet row =
            statement.executeQuery(
                "SELECT used, quota_limit, percent FROM billing_quota_alerts WHERE user_id = '"
                    + org
                    + "' AND meter = '"
                    + meter
                    + "' AND threshold = '"
                    + threshold
                    + "'")) {
      row.next();
      return row.getString(1) + " " + row.getString(2) + " " + row.getString(3);
    }
  }
}
