package io.streamspace.billing.prepaid;

import java.math.BigDecimal;
import java.util.Currency;

/**
 * An organization's balance in a currency, as its row holds it.
 *
 * @param reserved what admission holds of it for the sessions it started ({@link Reservations})
 */
public record Balance(Currency currency, BigDecimal balance, BigDecimal reserved) {

  /** What may still be paid or reserved from it. */
  public BigDecimal available() {
    return balance.subtract(reserved);
  }
}
