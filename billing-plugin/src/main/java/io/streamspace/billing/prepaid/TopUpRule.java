package io.streamspace.billing.prepaid;

import io.streamspace.billing.money.MoneyText;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Currency;
import java.util.Objects;

/**
 * An organization's auto top-up rule: when its prepaid balance's available money falls below
 * {@code threshold}, its saved payment method is charged off-session for what brings the balance
 * to {@code target}, or for a fixed {@code amount} (exactly one of the two is set), and never more
 * than {@code maxPerMonth} in a calendar month. The Owner's consent is part of it: who gave it,
 * when, and the {@code terms} they consented to, in words ({@link #terms}).
 */
public record TopUpRule(
    String orgId,
    Currency currency,
    BigDecimal threshold,
    BigDecimal target,
    BigDecimal amount,
    BigDecimal maxPerMonth,
    String consentedBy,
    Instant consentedAt,
    String terms) {

  public TopUpRule {
    Objects.requireNonNull(orgId, "orgId");
    Objects.requireNonNull(currency, "currency");
    if ((target == null) == (amount == null)) {
      throw new IllegalArgumentException("a rule has exactly one of target and amount");
    }
  }

  /**
   * The terms the Owner consents to by setting the rule, as the answer shows them and the audit
   * trail keeps them: {@code "acme's saved payment method is charged off-session, without asking
   * each time, whenever its prepaid balance available falls below $5.00: what brings it to $20.00,
   * at most $50.00 in a calendar month (UTC)."}
   */
  public static String terms(
      String orgId,
      Currency currency,
      BigDecimal threshold,
      BigDecimal target,
      BigDecimal amount,
      BigDecimal maxPerMonth,
      ZoneId zone) {
    String charge =
        target != null
            ? "what brings it to " + MoneyText.of(target, currency)
            : MoneyText.of(amount, currency) + " each time";
    return ("%s's saved payment method is charged off-session, without asking each time,"
            + " whenever its prepaid balance available falls below %s: %s, at most %s in a"
            + " calendar month (%s).")
        .formatted(
            orgId,
            MoneyText.of(threshold, currency),
            charge,
            MoneyText.of(maxPerMonth, currency),
            zone.getId());
  }
}
