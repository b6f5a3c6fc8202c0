package io.streamspace.billing.prepaid;

import io.streamspace.billing.catalog.BillingMode;
import io.streamspace.billing.money.Money;
import io.streamspace.billing.money.UsageUnit;
import io.streamspace.billing.rating.CurrencyRates;
import io.streamspace.plugin.api.event.ResourceSize;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Currency;

/**
 * What starting a session of an organization on a prepaid plan reserves: its worst-case cost for
 * its first minutes (the config's {@code holdMinutes}), priced as calculate-usage will rate them
 * ({@link CurrencyRates}: cores per core-hour, memory per GB-hour, each held meter per unit-hour,
 * in the account's currency) and rounded up to the minor unit ({@link Money#hold}). Storage is not
 * held: it is the organization's level, billed whether or not the session runs. In {@code hybrid}
 * mode the whole cost is held, as the plan's allowance may be used up by other sessions; in
 * {@code subscription} mode sessions cost nothing, so nothing is held. The same rule prices what
 * check-quotas extends a running session's reservation to ({@link ReservationExtensions}) and
 * what admission reserves against a {@code block} spending limit.
 *
 * @param amount  what is reserved: the first {@code minutes}' cost, rounded up
 * @param perHour an hour's cost at that size, rounded up: what a top-up for an hour adds to
 * @param minutes how many minutes of the session {@code amount} pays for
 */
public record SessionHold(BigDecimal amount, BigDecimal perHour, Currency currency, int minutes) {

  private static final BigDecimal SECONDS_PER_HOUR = UsageUnit.CPU.unitSecondsPerUnit();

  /** The hold of a session of that size for {@code hold}, at its account's currency's rates. */
  public static SessionHold of(
      ResourceSize size, CurrencyRates rates, BillingMode mode, Duration hold, Currency currency) {
    BigDecimal perSecond =
        mode == BillingMode.SUBSCRIPTION ? BigDecimal.ZERO : pricePerSecond(size, rates);
    return new SessionHold(
        Money.hold(
            perSecond.multiply(BigDecimal.valueOf(hold.toSeconds())), SECONDS_PER_HOUR, currency),
        Money.hold(perSecond.multiply(SECONDS_PER_HOUR), SECONDS_PER_HOUR, currency),
        currency,
        (int) hold.toMinutes());
  }

  /**
   * Σ amount held × unit price per hour: what one second of the session adds to its unit-seconds
   * × price, the sum a usage line divides by 3,600. A held meter without a price in the currency
   * is not rated, so it holds nothing either.
   */
  private static BigDecimal pricePerSecond(ResourceSize size, CurrencyRates rates) {
    return rates.perHour(size.cpuCores(), size.memoryGb(), size.resources());
  }

  /** Whether starting the session reserves anything at all. */
  public boolean any() {
    return amount.signum() > 0;
  }
}
