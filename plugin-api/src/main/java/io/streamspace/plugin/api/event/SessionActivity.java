package io.streamspace.plugin.api.event;

import java.math.BigDecimal;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What a session event tells of the session's activity: whether anyone is using it, and
 * optionally what it actually used of what it holds. The state holds from the event's instant
 * to the next event of the session that reports one (event time, whatever the order they arrive
 * in), as sizes do; before the first, the session is active.
 *
 * @param state what the session was doing from the event on
 * @param used  what it actually used at the event, by the name of what it holds: {@code
 *              cpu_cores}, {@code memory_gb}, or a held meter's id ({@code gpu}); each amount
 *              non-negative, in the unit of what it holds. Sorted by name, unmodifiable; empty
 *              when not reported (null is read as empty).
 *
 * <p>Stable since 0.4.
 *
 * @since 0.4
 */
public record SessionActivity(State state, Map<String, BigDecimal> used) {

  /** The activity states a platform reports, by their wire names. */
  public enum State {
    /** Someone is using the session. */
    ACTIVE("active"),
    /** A viewer is connected but gave no input for the platform's idle interval. */
    IDLE("idle"),
    /** No viewer is connected. */
    DISCONNECTED("disconnected");

    private final String wireName;

    State(String wireName) {
      this.wireName = wireName;
    }

    /** The name on the wire and in storage: {@code active}, {@code idle}, {@code disconnected}. */
    public String wireName() {
      return wireName;
    }

    /** The state of a wire name, or null for another text. */
    public static State fromWire(String name) {
      for (State state : values()) {
        if (state.wireName.equals(name)) {
          return state;
        }
      }
      return null;
    }
  }

  public SessionActivity {
    Objects.requireNonNull(state, "state");
    TreeMap<String, BigDecimal> figures = new TreeMap<>();
    if (used != null) {
      used.forEach(
          (name, amount) -> {
            Objects.requireNonNull(name, "used key");
            if (!UsageReport.METER_ID.matcher(name).matches()) {
              throw new IllegalArgumentException("used key " + name + " is no meter id");
            }
            Objects.requireNonNull(amount, "used." + name);
            if (amount.signum() < 0) {
              throw new IllegalArgumentException("used." + name + " must not be negative");
            }
            figures.put(name, amount);
          });
    }
    used = Collections.unmodifiableSortedMap(figures);
  }

  /** A state without used figures. */
  public SessionActivity(State state) {
    this(state, Map.of());
  }
}
