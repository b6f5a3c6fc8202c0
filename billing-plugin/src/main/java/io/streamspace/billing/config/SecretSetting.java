package io.streamspace.billing.config;

/**
 * A secret the plugin needs but never accepts in its saved config: it comes from the host's
 * environment (or secrets file) under {@link #envVar()}, and is only ever shown masked.
 */
public enum SecretSetting {
  STRIPE_SECRET_KEY("stripeSecretKey", "Stripe API secret key"),
  STRIPE_WEBHOOK_SECRET("stripeWebhookSecret", "Stripe webhook signing secret");

  /** How a present secret is shown. */
  public static final String MASK = "****";

  private final String configKey;
  private final String description;

  SecretSetting(String configKey, String description) {
    this.configKey = configKey;
    this.description = description;
  }

  /** The key an admin might be tempted to put in the config (the seed README's name). */
  public String configKey() {
    return configKey;
  }

  /** The environment variable that holds it. */
  public String envVar() {
    return name();
  }

  public String description() {
    return description
        + ", read from the environment variable "
        + envVar()
        + "; never stored in config";
  }
}
