package io.streamspace.benchmark;

import java.util.Locale;

/** How big the benchmark runs: {@code full} measures the targets, {@code small} is a smoke run. */
public enum BenchSize {
  SMALL,
  FULL;

  /** The size named on the command line ({@code small} or {@code full}). */
  public static BenchSize of(String name) {
    return valueOf(name.toUpperCase(Locale.ROOT));
  }

  /** {@code full} at full size, else {@code small}. */
  public int pick(int small, int full) {
    return this == FULL ? full : small;
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
