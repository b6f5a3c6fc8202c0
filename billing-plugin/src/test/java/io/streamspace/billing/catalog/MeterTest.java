package io.streamspace.billing.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.plugin.api.event.UsageReport;
import org.junit.jupiter.api.Test;

class MeterTest {

  @Test
  void thePeriodCountersAreTheMetersThePlatformReports_inTheContractsOrder() {
    assertEquals(
        UsageReport.METERS, Meter.periodCounters().stream().map(Meter::configName).toList());
  }

  @Test
  void everyMeterIsFoundByItsConfigName() {
    for (Meter meter : Meter.values()) {
      assertEquals(meter, Meter.named(meter.configName()).orElseThrow());
    }
  }
}
