package io.streamspace.billing.quota;

import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.user;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.catalog.Meter;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.plugin.api.event.ResourceSize;
import io.streamspace.plugin.api.event.UsageReport;
import io.streamspace.plugin.api.http.HttpMethod;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every meter, driven through the path that measures it (session sizes, the number of open
 * sessions, the storage level, usage reports), to 79, 80, 100 and 101 of a hard limit of 100:
 * its state in {@code /quota} at each step, and check-quotas alerting at 80 and at 100 only.
 */
class QuotaStatesTest {

  private static final String CONFIG =
      """
      {"subscriptionPlans": [{"id": "free", "name": "Free", "price": 0, "interval": "month",
        "limits": {"%s": {"limit": 100, "kind": "hard"}}}]}""";

  private BillingHarness billing;
  private int reports;
  private int reported;
  private int sessions;

  @AfterEach
  void close() {
    billing.close();
  }

  @ParameterizedTest
  @MethodSource("builtInMeters")
  void eachMeterIsOkAt79_warningAt80_exceededAt100AndOver_alertedOnceAtEach(Meter meter) {
    billing = new BillingHarness(at("2026-03-10T12:00:00Z"), CONFIG.formatted(meter.configName()));
    billing.userCreated("john", Map.of());
    List<String> states = new ArrayList<>();
    List<Long> alertsSent = new ArrayList<>();
    int minute = 0;
    for (int used : new int[] {79, 80, 100, 101}) {
      use(meter, used, "2026-03-10T12:%02d:00Z".formatted(minute++));
      String now = "2026-03-10T12:%02d:30Z".formatted(minute++);
      alertsSent.add(billing.runAt("check-quotas", now).rowsTouched());
      JsonNode quota = meterIn(billing.call(HttpMethod.GET, "/quota", user("john")).body(), meter);
      assertEquals(used, quota.get("used").intValue(), meter + " at " + used);
      states.add(quota.get("state").asText());
    }

    assertEquals(List.of("ok", "warning", "exceeded", "exceeded"), states, meter.configName());
    assertEquals(List.of(0L, 1L, 1L, 0L), alertsSent, meter.configName());
    assertEquals(
        List.of("billing.quota.warning", "billing.quota.exceeded"),
        billing.context.published().stream()
            .filter(e -> e.startsWith("billing.quota."))
            .map(e -> e.substring(0, e.indexOf(' ')))
            .toList());
  }

  /**
   * The built-in meters a single user can bring to 101: not {@code members}, whose seats are a
   * team's (its states and alerts: {@code QuotaRouteTest}, {@code TeamInvoiceScenarioTest}).
   */
  static List<Meter> builtInMeters() {
    return Meter.BUILT_IN.stream().filter(m -> m.measure() != Meter.Measure.SEATS).toList();
  }

  /** Brings john's use of the meter to {@code used}, through what measures that meter. */
  private void use(Meter meter, int used, String at) {
    if (meter.equals(Meter.CPU_CORES)) {
      sized(size(String.valueOf(used), "1", "0"), at);
    } else if (meter.equals(Meter.MEMORY_GB)) {
      sized(size("1", String.valueOf(used), "0"), at);
    } else if (meter.equals(Meter.STORAGE_GB)) {
      sized(size("1", "1", String.valueOf(used)), at);
    } else if (meter.equals(Meter.ACTIVE_SESSIONS)) {
      while (sessions < used) {
        billing.created(at, "s" + sessions++, "john", size("0", "0", "0"));
      }
    } else { // a period counter: reports adding up to the new total
      billing.billing.onUsageReported(
          billing.context,
          new UsageReport(
              "r" + ++reports,
              at(at),
              "john",
              meter.configName(),
              BigDecimal.valueOf(used - reported),
              null));
    }
    reported = used;
  }

  /** One session whose size (or the storage level it reports) is the meter's use. */
  private void sized(ResourceSize size, String at) {
    if (sessions == 0) {
      billing.created(at, "s" + sessions++, "john", size);
    } else {
      billing.heartbeat(at, "s0", "john", size);
    }
  }

  private static JsonNode meterIn(JsonNode quota, Meter meter) {
    for (JsonNode m : quota.get("meters")) {
      if (m.get("meter").asText().equals(meter.configName())) {
        return m;
      }
    }
    throw new AssertionError("no " + meter + " in " + quota);
  }
}
