package io.streamspace.billing.metering;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.db.BillingMigrations;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.plugin.api.event.SessionEvent;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Whether events are arriving, as calculate-usage asks it to pace itself. */
class SessionMeterTest {

  @Test
  void eventsCountAsArrivingForAQuarterSecondAfterTheWriterTookABatch_notBeforeAny()
      throws Exception {
    BillingMigrations.migrate(TestDatabase.dataSource());
    AtomicLong nanos = new AtomicLong(1_000_000_000L);
    BillingConfig config = BillingConfig.defaults();
    try (SessionMeter meter =
        new SessionMeter(
            new MeteringStore(TestDatabase.dataSource(), () -> config),
            () -> config,
            () -> null,
            nanos::get)) {
      assertFalse(meter.metering(), "nothing metered yet");

      meter.heartbeat(
          new SessionEvent(
              "e-meter-1", Instant.parse("2026-03-02T10:00:00Z"), "s-meter", "u-meter", null));
      meter.flush().get(30, TimeUnit.SECONDS);

      assertTrue(meter.metering(), "a batch just taken");
      nanos.addAndGet(SessionMeter.METERING_WITHIN.toNanos() - 1);
      assertTrue(meter.metering(), "within the quarter second");
      nanos.addAndGet(1);
      assertFalse(meter.metering(), "a quarter second after it");
    } finally {
      TestDatabase.clean();
    }
  }
}
