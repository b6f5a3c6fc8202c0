package io.streamspace.billing.catalog;

import io.streamspace.billing.money.LineUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** What a quota counts, as config and events name it ({@code cpu_cores}), with its unit. */
public enum Meter implements LineUnit {
  CPU_CORES("core", Measure.CONCURRENT),
  MEMORY_GB("GB", Measure.CONCURRENT),
  ACTIVE_SESSIONS("session", Measure.CONCURRENT),
  STORAGE_GB("GB", Measure.GAUGE),
  BANDWIDTH_GB("GB", Measure.PERIOD_COUNTER),
  TRANSCODING_MINUTES("minute", Measure.PERIOD_COUNTER),
  AI_QUERIES("query", Measure.PERIOD_COUNTER);

  /** How a meter's use is measured. */
  public enum Measure {
    /** At each instant, from the sessions open then. */
    CONCURRENT,
    /** A level the account is at (its storage), as last reported. */
    GAUGE,
    /** A sum of what the platform reports, reset at each billing period start. */
    PERIOD_COUNTER
  }

  private final String unit;
  private final Measure measure;

  Meter(String unit, Measure measure) {
    this.unit = unit;
    this.measure = measure;
  }

  /** The name as config and events write it: {@code cpu_cores}, {@code ai_queries}. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** What one of its quantity is: a core, a GB, a minute, a query. */
  public String unit() {
    return unit;
  }

  /** On an invoice line: its config name ({@code bandwidth_gb}). */
  @Override
  public String resourceType() {
    return configName();
  }

  /** On an invoice line: its unit ({@code GB}). */
  @Override
  public String label() {
    return unit;
  }

  public Measure measure() {
    return measure;
  }

  /** The period counters, in order: what the platform reports and overage may be rated on. */
  public static List<Meter> periodCounters() {
    return Arrays.stream(values()).filter(m -> m.measure == Measure.PERIOD_COUNTER).toList();
  }

  /** The meter of that config name, if there is one. */
  public static Optional<Meter> named(String configName) {
    return Arrays.stream(values()).filter(m -> m.configName().equals(configName)).findFirst();
  }
}
