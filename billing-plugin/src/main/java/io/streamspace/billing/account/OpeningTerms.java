package io.streamspace.billing.account;

import io.streamspace.billing.catalog.SubscriptionPlan;
import io.streamspace.billing.config.BillingConfig;
import java.math.BigDecimal;
import java.util.List;

/**
 * The terms an account opens on, under the config in effect when it opens. Pure: it reads
 * nothing but that config.
 *
 * <ul>
 *   <li><b>Currency.</b> The one its {@code user.created} asked for when it is a supported
 *       currency (not merely any ISO code: the account could not be priced in it), else the
 *       configured currency. An account a session event opens first asks for none.
 *   <li><b>Plan.</b> The one its {@code user.created} asked for when it is a configured plan, else
 *       the default plan.
 *   <li><b>Price.</b> Its first plan term copies the plan's terms as configured now, priced in the
 *       account's currency: the plan's {@code price} in the configured currency, its {@code
 *       prices} entry in any other supported one. A later change to the plan does not rewrite
 *       the term.
 * </ul>
 *
 * <p>The same rule judges an event when it is queued and again when its batch is stored, since a
 * plan or a currency may have been removed from the config in between.
 */
public final class OpeningTerms {

  /** A plan with its price in one supported currency: an opening account's first term. */
  public record PricedPlan(SubscriptionPlan plan, String currency, BigDecimal price) {}

  private final BillingConfig config;

  public OpeningTerms(BillingConfig config) {
    this.config = config;
  }

  /** The currency code an account that asked for {@code asked} (or null) opens in. */
  public String currency(String asked) {
    return config.supportedCurrency(asked).orElse(config.currency()).getCurrencyCode();
  }

  /** The plan an account that asked for {@code asked} (or null) opens on. */
  public String plan(String asked) {
    return config.hasPlan(asked) ? asked : config.defaultPlan();
  }

  /**
   * Every configured plan priced in every supported currency, one per plan and currency: what
   * an account opens on, whichever plan and currency it opens with.
   */
  public List<PricedPlan> pricedPlans() {
    return config.subscriptionPlans().stream()
        .flatMap(
            plan ->
                config.supportedCurrencies().stream()
                    .map(
                        in ->
                            new PricedPlan(
                                plan,
                                in.getCurrencyCode(),
                                config.priceOf(plan, in).orElseThrow())))
        .toList();
  }
}
