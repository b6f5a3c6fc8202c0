package io.streamspace.plugin.api.session;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * Money that, put on the organization's prepaid balance, would let a denied session start: a
 * suggestion a plugin makes with a denial for want of money ({@link AdmissionDecision#topUp()}),
 * for the platform to offer as a top-up.
 *
 * @param amount   how much, positive, in the currency's minor unit (USD 2 decimals, VND 0)
 * @param currency the ISO 4217 code of the balance it goes to
 * @param minutes  how many minutes of the session it pays for from its start: the least that lets
 *                 it start covers the minutes the plugin holds as it starts (15, say); another
 *                 covers an hour (60)
 *
 * <p>Stable since 0.4.
 *
 * @since 0.4
 */
public record TopUp(BigDecimal amount, String currency, int minutes) {

  public TopUp {
    Objects.requireNonNull(amount, "amount");
    Objects.requireNonNull(currency, "currency");
    if (amount.signum() <= 0) {
      throw new IllegalArgumentException("amount must be positive");
    }
    if (minutes <= 0) {
      throw new IllegalArgumentException("minutes must be positive");
    }
  }
}
