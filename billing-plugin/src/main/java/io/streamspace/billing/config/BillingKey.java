package io.streamspace.billing.config;

import java.util.Map;

/**
 * One key of the billing config, an entry of {@link BillingKeys}: the parser reads it, the
 * catalog's schema lists it, the effective config writes it and the configuration reference's
 * table (docs/reference/configuration.md) is generated from it.
 *
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

  boolean isSecret() {
    return environmentVariable != null;
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
