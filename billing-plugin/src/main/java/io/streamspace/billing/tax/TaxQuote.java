package io.streamspace.billing.tax;

import java.math.BigDecimal;
import java.util.List;

/**
 * What a tax calculation gave for a draft's lines.
 *
 * @param calculationId Stripe's id of the calculation ({@code taxcalc_...}); null when there was
 *     nothing to tax (no line with an amount), and so no calculation
 * @param tax           the tax of the whole invoice, at the currency's scale: added to the lines
 *     when they exclude it, contained in them when they include it
 */
public record TaxQuote(String calculationId, BigDecimal tax, List<TaxLine> lines) {

  public TaxQuote {
    lines = List.copyOf(lines);
  }

  /** Whether a line of it is a reverse charge. */
  public boolean reverseCharge() {
    return lines.stream().anyMatch(TaxLine::reverseCharge);
  }
}
