package io.streamspace.plugin.api.config;

import java.util.Objects;

/**
 * Why a configuration was refused.
 *
 * @param key     the dotted key at fault, for example {@code invoiceDay}
 * @param message what is wrong and what is allowed, for admins
 *
 * <p>Stable since 0.1.
 */
public record ConfigProblem(String key, String message) {

  public ConfigProblem {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(message, "message");
  }
}
