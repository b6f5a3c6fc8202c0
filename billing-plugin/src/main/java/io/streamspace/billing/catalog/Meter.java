package io.streamspace.billing.catalog;

import io.streamspace.billing.money.LineUnit;
import java.math.BigDecimal;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a quota counts, as config and events name it ({@code cpu_cores}), with its unit: one of
 * the eight built-in meters (the constants below) or a meter the config's {@code meters} list
 * adds ({@link #custom}). Two meters of the same id are equal, so a meter read back from the
 * database by its id ({@link #of}) keys the same entries as the configured one.
 */
public final class Meter implements LineUnit {

  /** How a meter's use is measured. */
  public enum Measure {
    /** At each instant, from the sessions open then. */
    CONCURRENT,
    /** A level the account is at (its storage), as last reported. */
    GAUGE,
    /** What the platform reports ({@code usage.reported}), anew in each billing period. */
    PERIOD_COUNTER,
    /**
     * The organization's members at each instant, as its membership events decide them by event
     * time ({@code billing_memberships}); a personal organization has one, its user. Billed per
     * seat and billing period above the plan's included seats ({@code invoicing.SeatCharges}).
     */
    SEATS,
    /**
     * An amount a session holds ({@code resources} of its events: GPUs), priced per unit-hour
     * like cpu and memory by calculate-usage ({@code rating}), and counted at each instant from
     * the sessions open then, as they are: limited by plans and raised by packs, checked at
     * admission, judged by quotas, billed above a soft limit as hybrid overage.
     */
    HELD
  }

  /** How a period counter's reports make its use in a billing period. */
  public enum Aggregation {
    /** The sum of the reports that occurred in the period. */
    SUM,
    /** The largest report that occurred in the period. */
    MAX;

    /** As config writes it: {@code sum}, {@code max}. */
    public String configName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** What two reports (or a total and a report) make together: order does not matter. */
    public BigDecimal combine(BigDecimal a, BigDecimal b) {
      return this == SUM ? a.add(b) : a.max(b);
    }
  }

  /**
   * What a meter's id may be: 1 to 40 lower case letters, digits or underscores, a letter first
   * (the contract's {@code UsageReport.METER_ID}, which a host checks reports by).
   */
  public static final Pattern ID = Pattern.compile("[a-z][a-z0-9_]{0,39}");

  public static final Meter CPU_CORES = builtIn("cpu_cores", "CPU", "core", Measure.CONCURRENT);
  public static final Meter MEMORY_GB = builtIn("memory_gb", "Memory", "GB", Measure.CONCURRENT);
  public static final Meter ACTIVE_SESSIONS =
      builtIn("active_sessions", "Active sessions", "session", Measure.CONCURRENT);
  public static final Meter STORAGE_GB = builtIn("storage_gb", "Storage", "GB", Measure.GAUGE);
  public static final Meter BANDWIDTH_GB =
      builtIn("bandwidth_gb", "Bandwidth", "GB", Measure.PERIOD_COUNTER);
  public static final Meter TRANSCODING_MINUTES =
      builtIn("transcoding_minutes", "Transcoding", "minute", Measure.PERIOD_COUNTER);
  public static final Meter AI_QUERIES =
      builtIn("ai_queries", "AI queries", "query", Measure.PERIOD_COUNTER);

  /**
   * Seats: a plan's {@code members} limit is its included seats (soft: the seats beyond are
   * billed; hard: the platform should add none beyond, and those it adds anyway are billed all
   * the same). Always in the catalog: a {@code meters} list that does not name it gets it last.
   */
  public static final Meter MEMBERS = builtIn("members", "Members", "seat", Measure.SEATS);

  /** The eight meters every catalog starts from, in their order. */
  public static final List<Meter> BUILT_IN =
      List.of(
          CPU_CORES,
          MEMORY_GB,
          ACTIVE_SESSIONS,
          STORAGE_GB,
          BANDWIDTH_GB,
          TRANSCODING_MINUTES,
          AI_QUERIES,
          MEMBERS);

  private final String id;
  private final String name;
  private final String unit;
  private final Measure measure;
  private final Aggregation aggregation;
  private final Map<Currency, BigDecimal> prices;

  private Meter(
      String id,
      String name,
      String unit,
      Measure measure,
      Aggregation aggregation,
      Map<Currency, BigDecimal> prices) {
    this.id = Objects.requireNonNull(id, "id");
    this.name = Objects.requireNonNull(name, "name");
    this.unit = Objects.requireNonNull(unit, "unit");
    this.measure = Objects.requireNonNull(measure, "measure");
    this.aggregation = Objects.requireNonNull(aggregation, "aggregation");
    this.prices = Map.copyOf(prices);
  }

  private static Meter builtIn(String id, String name, String unit, Measure measure) {
    return new Meter(id, name, unit, measure, Aggregation.SUM, Map.of());
  }

  /**
   * A meter the config adds: a period counter the platform reports, priced per unit in each
   * currency of {@code prices} above a plan's soft included amount.
   */
  public static Meter custom(
      String id,
      String name,
      String unit,
      Aggregation aggregation,
      Map<Currency, BigDecimal> prices) {
    if (!ID.matcher(id).matches() || builtIn(id).isPresent()) {
      throw new IllegalArgumentException("not an id a custom meter may have: " + id);
    }
    return new Meter(id, name, unit, Measure.PERIOD_COUNTER, aggregation, prices);
  }

  /**
   * A held meter the config adds: an amount sessions hold, priced per unit-hour in each currency
   * of {@code prices}. Its id may be neither a built-in meter's nor a built-in resource's
   * ({@code cpu}, {@code memory}, {@code storage}), whose usage records it would share.
   */
  public static Meter held(String id, String name, String unit, Map<Currency, BigDecimal> prices) {
    if (!ID.matcher(id).matches() || builtIn(id).isPresent() || RESOURCES.contains(id)) {
      throw new IllegalArgumentException("not an id a held meter may have: " + id);
    }
    return new Meter(id, name, unit, Measure.HELD, Aggregation.SUM, prices);
  }

  /** The built-in resources' names on usage records, which no held meter may take. */
  public static final List<String> RESOURCES = List.of("cpu", "memory", "storage");

  /** The built-in meter of that id, if it is one. */
  public static Optional<Meter> builtIn(String id) {
    return BUILT_IN.stream().filter(m -> m.id.equals(id)).findFirst();
  }

  /**
   * The meter of an id as stored (a pack purchase's {@code adds}, a confirmation): the built-in
   * one, or else a counter known by its id only, equal to the configured meter of that id.
   */
  public static Meter of(String id) {
    return builtIn(id)
        .orElseGet(() -> new Meter(id, id, "", Measure.PERIOD_COUNTER, Aggregation.SUM, Map.of()));
  }

  /** The id as config and events write it: {@code cpu_cores}, {@code gpu_minutes}. */
  public String configName() {
    return id;
  }

  /** Its display name: {@code CPU}, {@code GPU minutes}. */
  public String name() {
    return name;
  }

  /** What one of its quantity is: a core, a GB, a minute, a query. */
  public String unit() {
    return unit;
  }

  public Measure measure() {
    return measure;
  }

  /** How its reports add up in a billing period: {@code sum} for every built-in counter. */
  public Aggregation aggregation() {
    return aggregation;
  }

  /** Whether it is one of the eight built-in meters. */
  public boolean isBuiltIn() {
    return BUILT_IN.contains(this);
  }

  /**
   * A custom meter's price of one unit by currency (empty for a built-in meter: computeRates and
   * meterRates price those).
   */
  public Map<Currency, BigDecimal> prices() {
    return prices;
  }

  /** On an invoice line: its config name ({@code bandwidth_gb}). */
  @Override
  public String resourceType() {
    return id;
  }

  /**
   * On an invoice line: its unit ({@code GB}); seats are billed per seat and billing period, so
   * the members line counts {@code seat-months}.
   */
  @Override
  public String label() {
    if (measure == Measure.HELD) {
      return id + "-hours"; // as its usage records count it: UsageUnit.held
    }
    return measure == Measure.SEATS ? unit + "-months" : unit;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Meter meter && meter.id.equals(id);
  }

  @Override
  public int hashCode() {
    return id.hashCode();
  }

  /** Its id, as the enum it once was printed its name: {@code bandwidth_gb}. */
  @Override
  public String toString() {
    return id;
  }
}
