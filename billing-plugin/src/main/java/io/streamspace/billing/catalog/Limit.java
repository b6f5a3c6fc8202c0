package io.streamspace.billing.catalog;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * What a plan allows of one meter.
 *
 * @param amount the most allowed, in the meter's unit; null for unlimited
 * @param kind what happens at it
 */
public record Limit(BigDecimal amount, LimitKind kind) {

  public Limit {
    Objects.requireNonNull(kind, "kind");
  }

  public boolean unlimited() {
    return amount == null;
  }
}
