package io.streamspace.billing.rating;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.streamspace.billing.money.Money;
import io.streamspace.billing.money.UsageUnit;
import java.math.BigDecimal;

/**
 * Usage of one resource at one unit price in one activity state over a period, as reported.
 * Time at the full price (the activity {@code active}, and idle or disconnected time whose
 * factor is 1) has no activity, description or saving, as before activity was priced.
 *
 * @param quantity    for display only: rounded to {@link UsageUnit#QUANTITY_SCALE} places
 * @param totalCost   rounded to the currency's minor unit by {@link Money#lineTotal}
 * @param activity    {@code idle} or {@code disconnected} for time priced at a factor, {@code
 *                    hibernated} for a hibernated session's time (at nothing); else null
 * @param description such a line's name, e.g. {@code CPU, idle (× 0.5)}, {@code CPU,
 *                    hibernated}; else null
 * @param saved       such a line's saving: what its time would have cost at the full price less
 *                    its total, from the exact sums and rounded once; else null
 */
public record UsageLine(
    String resourceType,
    BigDecimal quantity,
    String unit,
    BigDecimal unitPrice,
    BigDecimal totalCost,
    @JsonInclude(JsonInclude.Include.NON_NULL) String activity,
    @JsonInclude(JsonInclude.Include.NON_NULL) String description,
    @JsonInclude(JsonInclude.Include.NON_NULL) BigDecimal saved) {

  /** A line at the full price. */
  public UsageLine(
      String resourceType,
      BigDecimal quantity,
      String unit,
      BigDecimal unitPrice,
      BigDecimal totalCost) {
    this(resourceType, quantity, unit, unitPrice, totalCost, null, null, null);
  }

  /** The same line costing {@code cost} (a member's part of it); its saving stays the line's. */
  public UsageLine costing(BigDecimal cost) {
    return new UsageLine(
        resourceType, quantity, unit, unitPrice, cost, activity, description, saved);
  }
}
