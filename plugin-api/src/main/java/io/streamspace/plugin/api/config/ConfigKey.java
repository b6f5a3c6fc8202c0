package io.streamspace.plugin.api.config;

import java.util.List;
import java.util.Objects;

/**
 * One configuration key.
 *
 * @param name                dotted key name, for example {@code computeRates.cpu_per_core_hour}
 * @param type                one of {@code string}, {@code number}, {@code integer},
 *                            {@code boolean}, {@code cron}, {@code array}, {@code object}
 * @param defaultJson         the default value as JSON text, or null when there is none
 * @param description         what the key does, for admins
 * @param secret              true when the value is a secret: never stored in the config
 *                            (since 0.2 a host stores a value given for it apart, encrypted),
 *                            always shown masked
 * @param environmentVariable for a secret, the environment variable the host reads it from; the
 *                            names given here are the only ones {@link PluginConfig#secret} answers
 *                            for this plugin. Null for every other key, and for a secret the
 *                            plugin only masks but never reads. Since 0.2.
 * @param values              for a {@code string} key that takes one of a few words (an enum:
 *                            {@code usage}, {@code subscription}, {@code hybrid}), those words in
 *                            the order a form offers them; empty for any other key (null is read
 *                            as empty). A host may draw such a key as a choice. Since 0.4.
 *
 * <p>Stable since 0.1; {@code environmentVariable} and {@link #secretFromEnvironment} since 0.2;
 * {@code values} since 0.4.
 */
public record ConfigKey(
    String name,
    String type,
    String defaultJson,
    String description,
    boolean secret,
    String environmentVariable,
    List<String> values) {

  public ConfigKey {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    if (environmentVariable != null && (!secret || environmentVariable.isBlank())) {
      throw new IllegalArgumentException(
          "key " + name + ": only a secret is read from an environment variable, named non-blank");
    }
    values = values == null ? List.of() : List.copyOf(values);
    if (!values.isEmpty() && (secret || !"string".equals(type))) {
      throw new IllegalArgumentException(
          "key " + name + ": only a string key that is not a secret lists its values");
    }
  }

  /** A key without a list of values, as in 0.2 and 0.3. */
  public ConfigKey(
      String name,
      String type,
      String defaultJson,
      String description,
      boolean secret,
      String environmentVariable) {
    this(name, type, defaultJson, description, secret, environmentVariable, List.of());
  }

  /**
   * A key without an environment variable, as in 0.1: a secret declared this way is masked but
   * cannot be read with {@link PluginConfig#secret}.
   */
  public ConfigKey(
      String name, String type, String defaultJson, String description, boolean secret) {
    this(name, type, defaultJson, description, secret, null, List.of());
  }

  /**
   * A secret string the host reads from {@code environmentVariable}, else from the value an admin
   * set for this key (stored apart from the saved config, encrypted), which the plugin then reads
   * with {@code config().secret(environmentVariable)}.
   *
   * @since 0.2
   */
  public static ConfigKey secretFromEnvironment(
      String name, String environmentVariable, String description) {
    Objects.requireNonNull(environmentVariable, "environmentVariable");
    return new ConfigKey(name, "string", null, description, true, environmentVariable, List.of());
  }
}
