package io.streamspace.billing.payments.stripe;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.json.JsonMapper;
import java.util.function.Supplier;

/**
 * The two settings of Stripe Billing this plugin reads from the saved config as plain strings:
 * {@code stripeCollection} ({@value #PAYMENT_INTENTS}, the default, or {@value #STRIPE_INVOICES})
 * and {@code taxBehavior} ({@code exclusive}, the default, or {@code inclusive}). Read at each
 * call from the config JSON the host holds, so a saved change is used at the next checkout; any
 * other value, or a config that does not read, reads as the default.
 */
public final class StripeBillingSettings {

  public static final String COLLECTION = "stripeCollection";
  public static final String PAYMENT_INTENTS = "payment_intents";
  public static final String STRIPE_INVOICES = "stripe_invoices";
  public static final String TAX_BEHAVIOR = "taxBehavior";

  private final Supplier<String> configJson;

  /** @param configJson the saved config as the host hands it over (PluginConfig#json) */
  public StripeBillingSettings(Supplier<String> configJson) {
    this.configJson = configJson;
  }

  /** Whether Stripe Subscriptions collect plan fees (plan Checkout in subscription mode). */
  public boolean stripeInvoices() {
    return STRIPE_INVOICES.equals(text(COLLECTION));
  }

  /** The tax behaviour the catalog's prices declare: {@code inclusive}, else {@code exclusive}. */
  public String taxBehavior() {
    return "inclusive".equals(text(TAX_BEHAVIOR)) ? "inclusive" : "exclusive";
  }

  private String text(String key) {
    try {
      JsonNode value = JsonMapper.MAPPER.readTree(configJson.get()).path(key);
      return value.isTextual() ? value.textValue() : null;
    } catch (Exception e) {
      return null;
    }
  }
}
