package io.streamspace.billing.metering;

import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.rows;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.billing.support.BillingHarness;
import io.streamspace.plugin.api.event.ResourceSize;
import io.streamspace.plugin.api.event.SessionEvent;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A session's held resources ({@code resources} of its sizes) are kept per session and meter as
 * a step function by event time: each event naming a meter sets its amount from its instant, an
 * event not naming it leaves it as it was, and of two events naming it at one instant the greater
 * id wins. Whatever order and batches the events arrive in, the steps are the same. ada's session
 * s1 on 2 March 2026: 1 GPU from 09:00, 2 from 09:30 (a heartbeat resize), a heartbeat at 10:00
 * naming none (unchanged), released at 10:15 ({@code "gpu": 0}) while a vGPU starts; h2 and its
 * rival x2 both name the GPU at 09:30, x2's id being greater.
 */
class SessionHeldResourcesTest {

  private final BillingHarness billing = new BillingHarness(at("2026-03-02T00:00:00Z"));

  @AfterEach
  void unload() {
    billing.close();
  }

  private final Map<String, SessionEvent> events =
      Map.of(
          "c1", event("c1", "09:00", Map.of("gpu", "1")),
          "h2", event("h2", "09:30", Map.of("gpu", "3")),
          "x2", event("x2", "09:30", Map.of("gpu", "2")),
          "h3", event("h3", "10:00", Map.of()),
          "h4", event("h4", "10:15", Map.of("gpu", "0", "vgpu", "0.5")),
          "t5", event("t5", "11:00", null));

  private static SessionEvent event(String id, String time, Map<String, String> held) {
    ResourceSize size =
        held == null
            ? null
            : new ResourceSize(
                BigDecimal.ONE,
                BigDecimal.TEN,
                BigDecimal.ZERO,
                held.entrySet().stream()
                    .collect(
                        java.util.stream.Collectors.toMap(
                            Map.Entry::getKey, e -> new BigDecimal(e.getValue()))));
    return new SessionEvent(id, at("2026-03-02T" + time + ":00Z"), "s1", "ada", size, null);
  }

  private void deliver(String name) {
    SessionEvent event = events.get(name);
    switch (name.charAt(0)) {
      case 'c' -> billing.billing.onSessionCreated(billing.context, event);
      case 't' -> billing.billing.onSessionTerminated(billing.context, event);
      default -> billing.billing.onSessionHeartbeat(billing.context, event);
    }
  }

  private static List<List<Object>> held() {
    return rows(
        """
        SELECT session_id, meter_id, to_char(effective_from AT TIME ZONE 'UTC', 'HH24:MI'),
               amount::text
        FROM billing_session_held ORDER BY session_id, meter_id, effective_from""");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "c1 h2 x2 h3 h4 t5",
        "t5 h4 h3 x2 h2 c1",
        "x2 | h4 | c1 t5 | h2 | h3",
        "h2 | x2 | c1 h3 h4 t5",
        "c1 | h2 | x2 | h2 x2 c1 h4 | h4 h3 t5"
      })
  void theStepsAreTheSameWhateverTheOrderAndBatches_aMeterNotNamedIsUnchanged(String order) {
    billing.deliverInFlushes(order, this::deliver);

    assertEquals(
        List.of(
            List.of("s1", "gpu", "09:00", "1"),
            List.of("s1", "gpu", "09:30", "2"),
            List.of("s1", "gpu", "10:15", "0"),
            List.of("s1", "vgpu", "10:15", "0.5")),
        held(),
        "h3 names no meter: no step; x2 beats h2 at 09:30");
  }
}
