package io.streamspace.host.plugins;

/**
 * Where a plugin's secret key stands on this host, as {@code GET /api/health} names it for each
 * plugin and as {@code GET /api/admin/plugins/{id}/config} shows it (masked), both decided by
 * {@link PluginSecrets#state}: never the value.
 */
enum SecretState {
  /** The plugin reads a value: a non-empty environment variable, or a stored one decrypted. */
  SET("set"),
  /** No value: no environment variable (or an empty one) and nothing stored. */
  MISSING("missing"),
  /** Stored, not overridden by the environment, and not decryptable here: the plugin reads none. */
  UNREADABLE("unreadable");

  private final String label;

  SecretState(String label) {
    this.label = label;
  }

  /** The word shown: {@code set}, {@code missing} or {@code unreadable}. */
  String label() {
    return label;
  }
}
