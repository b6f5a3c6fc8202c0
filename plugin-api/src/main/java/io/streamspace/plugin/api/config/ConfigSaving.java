package io.streamspace.plugin.api.config;

import java.sql.Connection;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A change of a plugin's saved configuration that the host is about to commit, handed to {@link
 * ConfigurablePlugin#onConfigSaving}: who asked and why, what was saved before and what will be,
 * and the transaction that saves it.
 *
 * <p>Neither configuration holds a secret's value: the host stores secrets apart, encrypted, and
 * names only the secret keys given a new value ({@link #secretsChanged}).
 *
 * <p>Stable since 0.3.
 */
public interface ConfigSaving {

  /**
   * The host's open transaction that saves the change. The plugin may write its own tables on it,
   * so that what it writes commits or rolls back with the change; it must not commit, roll back,
   * close it or change its settings.
   */
  Connection connection();

  /** When the change is saved, from the host's clock. */
  Instant at();

  /** The user id of the admin who asked. */
  String changedBy();

  /**
   * The reason the admin gave (the {@code X-Audit-Log-Reason} header of the host's config
   * routes), if any.
   */
  Optional<String> reason();

  /** The id of the request that carried the change ({@code X-Request-Id}), if it had one. */
  Optional<String> requestId();

  /** The saved configuration before the change: a JSON object, {@code {}} when none was saved. */
  String beforeJson();

  /** The saved configuration after the change: a JSON object. */
  String afterJson();

  /**
   * The dotted names of the keys the change adds, removes or gives another value, sorted, the
   * secret keys given a value among them; an array counts as one value.
   */
  List<String> changedKeys();

  /** The secret keys given a new value (stored apart, so in neither JSON). */
  Set<String> secretsChanged();
}
