package io.streamspace.billing.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * One key of the billing config, as {@link BillingKeys} states it: the parser reads it, the
 * catalog's schema lists it, the effective config writes it and the README's config table is
 * checked against it, all from this.
 *
 * @param name the key as admins write it
 * @param type how its JSON value is read and written back, and what it allows
 * @param defaultValue the value in effect while the key is absent or refused; null for a secret
 * @param description what it does, for admins, naming what its type allows
 * @param environmentVariable for a secret, the variable the host reads it from; else null
 */
record BillingKey<T>(
    String name,
    ValueType<T> type,
    T defaultValue,
    String description,
    String environmentVariable) {

  /**
   * A key of the saved config. {@code %s} in the description stands where what the type allows
   * is named ({@code Day of month (%s)} reads {@code Day of month (1-28)}).
   */
  static <T> BillingKey<T> of(String name, ValueType<T> type, T defaultValue, String description) {
    return new BillingKey<>(name, type, defaultValue, description.formatted(type.allowed()), null);
  }

  /** A secret, refused in the saved config: the host reads it from its environment variable. */
  static BillingKey<String> secret(String name, String environmentVariable, String what) {
    return new BillingKey<>(
        name,
        ValueType.secretIn(environmentVariable),
        null,
        what
            + ", read from the environment variable "
            + environmentVariable
            + "; never stored in config",
        environmentVariable);
  }

  boolean isSecret() {
    return environmentVariable != null;
  }

  /** The default as JSON. */
  JsonNode defaultJson() {
    return type.write(defaultValue);
  }

  /**
   * This key's value among values by key name, which hold for each key a value of its type (only
   * {@link Reading} and {@link BillingConfig#defaults()} fill them).
   */
  @SuppressWarnings("unchecked")
  T valueIn(Map<String, ?> values) {
    return (T) values.get(name);
  }
}
