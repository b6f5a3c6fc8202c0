package io.streamspace.billing.invoicing;

import io.streamspace.billing.money.MoneyText;
import java.math.BigDecimal;
import java.util.Currency;

/**
 * A void refused: a credit a refund of one of the invoice's store purchases granted has paid
 * part of other invoices already, which the void would give back a second time ({@link
 * RefundCredits}). Voiding those invoices first gives the credit's use back.
 */
public final class RefundCreditUsedException extends Exception {

  private final long creditId;

  RefundCreditUsedException(long invoiceId, long creditId, BigDecimal used, String currency) {
    super(
        ("invoice %d cannot be voided: credit %d, given by the refund of a store purchase it"
                + " billed, has paid %s of other invoices, which the void would give back a"
                + " second time; void those invoices first")
            .formatted(invoiceId, creditId, MoneyText.of(used, Currency.getInstance(currency))));
    this.creditId = creditId;
  }

  /** The credit that paid other invoices. */
  public long creditId() {
    return creditId;
  }
}
