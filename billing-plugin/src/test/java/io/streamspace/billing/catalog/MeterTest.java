package io.streamspace.billing.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.streamspace.plugin.api.event.UsageReport;
import java.math.BigDecimal;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MeterTest {

  private static final Meter GPU =
      Meter.custom(
          "gpu_minutes",
          "GPU minutes",
          "minute",
          Meter.Aggregation.SUM,
          Map.of(Currency.getInstance("USD"), new BigDecimal("0.02")));

  @Test
  void theBuiltInPeriodCountersAreTheMetersThePlatformReports_inTheContractsOrder() {
    assertEquals(
        UsageReport.METERS,
        Meters.DEFAULT.periodCounters().stream().map(Meter::configName).toList());
  }

  @Test
  void aMeterIdIsWhatTheContractLetsAHostAccept() {
    assertEquals(UsageReport.METER_ID.pattern(), Meter.ID.pattern());
  }

  @Test
  void everyBuiltInMeterIsFoundByItsConfigName_andReadBackFromStorageAsItself() {
    for (Meter meter : Meter.BUILT_IN) {
      assertEquals(meter, Meters.DEFAULT.named(meter.configName()).orElseThrow());
      assertEquals(meter.unit(), Meter.of(meter.configName()).unit());
    }
  }

  @Test
  void aCustomMeterReadBackByItsIdEqualsTheConfiguredOne_soItKeysTheSameEntries() {
    Meter stored = Meter.of("gpu_minutes");

    assertEquals(GPU, stored);
    assertEquals(new BigDecimal("0.02"), Map.of(GPU, new BigDecimal("0.02")).get(stored));
    assertNotEquals(GPU, Meter.of("gpu_hours"));
  }

  @Test
  void aCatalogListsTheCustomCountersAfterTheBuiltInOnes_andNamesTheMaxOnes() {
    Meter peak =
        Meter.custom("peak_viewers", "Peak viewers", "viewer", Meter.Aggregation.MAX, Map.of());
    List<Meter> all = new java.util.ArrayList<>(Meter.BUILT_IN);
    all.add(GPU);
    all.add(peak);
    Meters meters = new Meters(all);

    assertEquals(
        List.of("bandwidth_gb", "transcoding_minutes", "ai_queries", "gpu_minutes", "peak_viewers"),
        meters.periodCounters().stream().map(Meter::configName).toList());
    assertEquals(List.of("peak_viewers"), List.of(meters.maxCounterIds()));
  }

  @Test
  void sumAddsReports_maxKeepsTheLargest_inAnyOrder() {
    // sum: 3 + 5 = 8 either way; max: the larger, 5, either way
    assertEquals(
        new BigDecimal("8"),
        Meter.Aggregation.SUM.combine(BigDecimal.valueOf(3), BigDecimal.valueOf(5)));
    assertEquals(
        BigDecimal.valueOf(5),
        Meter.Aggregation.MAX.combine(BigDecimal.valueOf(5), BigDecimal.valueOf(3)));
    assertEquals(
        BigDecimal.valueOf(5),
        Meter.Aggregation.MAX.combine(BigDecimal.valueOf(3), BigDecimal.valueOf(5)));
  }

  @Test
  void aCustomMeterCannotTakeABuiltInIdOrAnIdOutsideItsPattern() {
    assertThrows(
        IllegalArgumentException.class,
        () -> Meter.custom("bandwidth_gb", "B", "GB", Meter.Aggregation.SUM, Map.of()));
    assertThrows(
        IllegalArgumentException.class,
        () -> Meter.custom("GPU-minutes", "G", "minute", Meter.Aggregation.SUM, Map.of()));
  }
}
