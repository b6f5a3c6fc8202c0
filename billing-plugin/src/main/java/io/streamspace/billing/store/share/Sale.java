package io.streamspace.billing.store.share;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Comparator;
import java.util.Objects;

/**
 * A sale to split: its id, when it was made (the purchase's time, never the time it was
 * processed) and its gross.
 */
public record Sale(String id, Instant at, BigDecimal gross) {

  /**
   * The one order of a period's sales: by sale time, then by id. The tiers and the cap make a
   * sale's split depend on the sales before it; this order makes "before" the same on every
   * computation, whatever order the purchases arrived or are read in.
   */
  public static final Comparator<Sale> ORDER =
      Comparator.comparing(Sale::at).thenComparing(Sale::id);

  public Sale {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(gross, "gross");
  }
}
