package io.streamspace.billing.money;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * The billed resources a session holds and their units: the three built-in ones ({@link #CPU},
 * {@link #MEMORY}, {@link #STORAGE}) and each held meter of the config ({@link #held}: a GPU is
 * {@code gpu}, billed in {@code gpu-hours}). Usage is measured and stored in unit-seconds (size
 * × seconds: core-seconds, GB-seconds, GPU-seconds), which are finite decimals and so exact in
 * {@code numeric}; this is the one place that knows how many unit-seconds make one billed unit.
 * Dividing is left to the report, once per line (see {@link #quantity} and {@link
 * Money#lineTotal}). Two units of one resource type are equal, so a unit read back from a record
 * by its type keys the same entries as the configured one.
 */
public final class UsageUnit implements LineUnit {

  public static final UsageUnit CPU = new UsageUnit("cpu", "core-hours", 3600);
  public static final UsageUnit MEMORY = new UsageUnit("memory", "gb-hours", 3600);

  /** GB-months of 730 hours (8760 hours a year / 12), the same for every month. */
  public static final UsageUnit STORAGE = new UsageUnit("storage", "gb-months", 3600 * 730);

  /** The built-in resources, in the order their lines are shown. */
  public static final List<UsageUnit> BUILT_IN = List.of(CPU, MEMORY, STORAGE);

  /** The order lines are shown in: cpu, memory, storage, then the held meters by id. */
  public static final Comparator<UsageUnit> ORDER =
      Comparator.comparingInt(UsageUnit::position).thenComparing(UsageUnit::resourceType);

  /**
   * Decimal places of a reported quantity. Quantities are for display only: money is computed
   * from the exact unit-seconds, never from a rounded quantity.
   */
  public static final int QUANTITY_SCALE = 6;

  private final String resourceType;
  private final String label;
  private final BigDecimal unitSecondsPerUnit;

  private UsageUnit(String resourceType, String label, int unitSecondsPerUnit) {
    this.resourceType = Objects.requireNonNull(resourceType, "resourceType");
    this.label = label;
    this.unitSecondsPerUnit = BigDecimal.valueOf(unitSecondsPerUnit);
  }

  /**
   * A held meter's resource: {@code meterId} as its resource type, counted in {@code
   * <meterId>-hours} (unit-seconds ÷ 3,600), as its usage records and lines name it.
   */
  public static UsageUnit held(String meterId) {
    if (BUILT_IN.stream().anyMatch(u -> u.resourceType.equals(meterId))) {
      throw new IllegalArgumentException("a built-in resource is no held meter: " + meterId);
    }
    return new UsageUnit(meterId, meterId + "-hours", 3600);
  }

  private int position() {
    int i = BUILT_IN.indexOf(this);
    return i < 0 ? BUILT_IN.size() : i;
  }

  /** Whether it is a held meter's resource rather than cpu, memory or storage. */
  public boolean isHeld() {
    return !BUILT_IN.contains(this);
  }

  /** The resource as stored and reported: {@code cpu}, {@code memory}, {@code storage}, … */
  @Override
  public String resourceType() {
    return resourceType;
  }

  /** The unit as stored and reported: {@code core-hours}, {@code gb-months}, {@code gpu-hours}. */
  @Override
  public String label() {
    return label;
  }

  /**
   * The resource as a line names it: {@code CPU}, {@code Memory}, {@code Storage}, a held
   * meter's id ({@code gpu}).
   */
  public String name() {
    return switch (resourceType) {
      case "cpu" -> "CPU";
      case "memory" -> "Memory";
      case "storage" -> "Storage";
      default -> resourceType;
    };
  }

  /** How many unit-seconds make one unit: the divisor of quantities and line totals. */
  public BigDecimal unitSecondsPerUnit() {
    return unitSecondsPerUnit;
  }

  /**
   * The display quantity of exact unit-seconds: one division, rounded half up to
   * {@link #QUANTITY_SCALE} places, trailing zeros stripped ({@code 20}, {@code 0.757222}).
   */
  public BigDecimal quantity(BigDecimal unitSeconds) {
    return unitSeconds
        .divide(unitSecondsPerUnit, QUANTITY_SCALE, RoundingMode.HALF_UP)
        .stripTrailingZeros();
  }

  /** The unit of a stored resource type: a built-in one, else a held meter's. */
  public static UsageUnit ofResourceType(String resourceType) {
    return BUILT_IN.stream()
        .filter(u -> u.resourceType.equals(resourceType))
        .findFirst()
        .orElseGet(() -> held(resourceType));
  }

  /** The built-in unit of that resource type, or null (a held meter's). */
  public static UsageUnit builtIn(String resourceType) {
    return BUILT_IN.stream()
        .filter(u -> u.resourceType.equals(resourceType))
        .findFirst()
        .orElse(null);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof UsageUnit unit && unit.resourceType.equals(resourceType);
  }

  @Override
  public int hashCode() {
    return resourceType.hashCode();
  }

  /** As the enum it once was printed its name: {@code CPU}, {@code MEMORY}; a held meter's id. */
  @Override
  public String toString() {
    return isHeld() ? resourceType : resourceType.toUpperCase(java.util.Locale.ROOT);
  }
}
