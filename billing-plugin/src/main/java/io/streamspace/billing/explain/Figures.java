package io.streamspace.billing.explain;

import io.streamspace.billing.money.Money;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Currency;

/** The small figures every explanation shows alike. */
final class Figures {

  private Figures() {}

  static Instant latest(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  static Instant earliest(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }

  static BigDecimal step(Currency currency) {
    return BigDecimal.ONE.movePointLeft(Money.minorDigits(currency));
  }

  static BigDecimal plain(BigDecimal value) {
    return value == null ? null : value.stripTrailingZeros();
  }
}
