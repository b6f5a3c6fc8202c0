package io.streamspace.billing.invoicing;

import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.tax.LinesHash;
import io.streamspace.billing.tax.TaxBehavior;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/**
 * The tax a finalization adds to a chunk's drafts, from the calculations {@link InvoiceTaxes}
 * stored before (no call to Stripe while a draft is locked): each used only for the lines it was
 * calculated for, else the draft's chunk is rolled back ({@link OutOfDate}) and it alone waits
 * for the next run's calculation.
 */
final class TaxAtFinalization {

  /**
   * A draft's lines no longer hash as those its tax was calculated for (late usage since the
   * pre-step): its chunk is rolled back, and it alone stays a draft until the next run
   * calculates its tax again. Never a failure of the run.
   */
  static final class OutOfDate extends RuntimeException {
    OutOfDate(long invoiceId) {
      super(
          "the tax of draft " + invoiceId + " was calculated for other lines", null, false, false);
    }
  }

  private TaxAtFinalization() {}

  /**
   * The stored tax calculations of the chunk's drafts with stripeTax; without it, none, and any
   * a draft kept from when it was on forgotten (it is finalized without tax).
   */
  static Map<Long, InvoiceTaxRows.Calculated> calculated(
      Connection connection, List<Invoice> drafts, BillingConfig current) throws SQLException {
    List<Long> ids = drafts.stream().map(Invoice::id).toList();
    if (!current.stripeTax()) {
      InvoiceTaxRows.forget(connection, ids);
      return Map.of();
    }
    return InvoiceTaxRows.calculated(connection, ids);
  }

  /**
   * What the tax adds to the draft's lines: its calculated tax when they exclude it, nothing when
   * they include it (or without stripeTax).
   *
   * @throws OutOfDate when its calculation was made for other lines than these
   */
  static BigDecimal added(
      Invoice draft,
      InvoiceCalculator.Billed billed,
      Map<Long, InvoiceTaxRows.Calculated> taxed,
      BillingConfig current) {
    if (!current.stripeTax()) {
      return BigDecimal.ZERO;
    }
    InvoiceTaxRows.Calculated calculated = taxed.get(draft.id());
    if (calculated == null
        || !calculated
            .linesHash()
            .equals(
                LinesHash.of(
                    draft.currency(), calculated.behavior(), InvoiceTaxes.items(billed)))) {
      throw new OutOfDate(draft.id());
    }
    return calculated.behavior() == TaxBehavior.EXCLUSIVE ? calculated.tax() : BigDecimal.ZERO;
  }
}
