package io.streamspace.billing.config;

import java.util.Locale;

/**
 * How finalized invoices are collected while stripeEnabled (config {@code stripeCollection}):
 * the plugin charges them itself with PaymentIntents on its retry schedule, or mirrors each into
 * Stripe as a Stripe Invoice that Stripe collects, retries and emails (Stripe Billing).
 */
public enum StripeCollection {
  PAYMENT_INTENTS,
  STRIPE_INVOICES;

  /** The name as written in config ({@code payment_intents}, {@code stripe_invoices}). */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
