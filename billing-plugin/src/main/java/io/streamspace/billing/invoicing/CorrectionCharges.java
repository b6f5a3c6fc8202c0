package io.streamspace.billing.invoicing;

import io.streamspace.billing.invoicing.ChargeLine.ChargeKind;
import io.streamspace.billing.money.LineUnit;
import io.streamspace.billing.money.Money;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Comparator;
import java.util.Currency;
import java.util.List;
import java.util.Objects;

/**
 * What usage corrections add to an invoice: one {@code correction} line per charge a correction
 * left for the organization's next invoice (a line of a finalized invoice the corrected history
 * makes cost more: {@code io.streamspace.billing.corrections}), its amount as the correction
 * worked it out (the line as corrected less the line as billed, each priced by this package's own
 * code), naming the correction and the invoice it corrects. Pure; in the order the charges were
 * made.
 */
public final class CorrectionCharges {

  /**
   * A correction's charge, to be billed on an invoice.
   *
   * @param description what the line says: the correction, the invoice and line it corrects
   * @param resourceType the corrected line's resource (or counter); null for none
   * @param unit the corrected line's unit; null with the resource
   * @param quantity what the correction added of it, in that unit; null with the resource
   * @param from the start of the corrected invoice's period
   * @param to its end
   */
  public record CorrectionCharge(
      long id,
      long correctionId,
      String description,
      String resourceType,
      String unit,
      BigDecimal unitPrice,
      BigDecimal quantity,
      BigDecimal amount,
      Instant from,
      Instant to) {
    public CorrectionCharge {
      Objects.requireNonNull(description, "description");
      Objects.requireNonNull(amount, "amount");
    }
  }

  /** What a correction line charges for: the corrected line's resource, as it stores it. */
  private record CorrectedUnit(String resourceType, String label) implements LineUnit {}

  private CorrectionCharges() {}

  /** The invoice's correction lines, in the order the charges were made. */
  public static List<ChargeLine> lines(Currency currency, List<CorrectionCharge> charges) {
    return charges.stream()
        .sorted(Comparator.comparingLong(CorrectionCharge::id))
        .map(
            charge ->
                new ChargeLine(
                    ChargeKind.CORRECTION,
                    charge.description(),
                    charge.resourceType() == null
                        ? null
                        : new CorrectedUnit(charge.resourceType(), charge.unit()),
                    charge.quantity(),
                    charge.unitPrice(),
                    Money.lineTotal(charge.amount(), BigDecimal.ONE, currency),
                    charge.from(),
                    charge.to()))
        .toList();
  }
}
