package io.streamspace.host;

import io.streamspace.host.db.Database;
import io.streamspace.host.plugins.StoredSecrets;
import io.streamspace.host.secrets.SecretBox;
import io.streamspace.host.secrets.SecretsKey;
import java.util.function.Supplier;

/** The box stored secrets (plugins' config, webhook endpoints) are sealed in. */
final class SecretsWiring {

  private SecretsWiring() {}

  /**
   * Sealed with the key of {@link SecretsKey#source}.
   *
   * @throws Host.StartRefused when {@code STREAMSPACE_SECRETS_KEY} is no key, or when it is unset
   *     and secrets are stored but the key file is gone (a new key would not read them)
   */
  static SecretBox secretBox(HostOptions options, Database database) {
    return new SecretBox(keySource(options, database));
  }

  private static Supplier<SecretsKey> keySource(HostOptions options, Database database) {
    try {
      return SecretsKey.source(
          options.secrets(), options.dataDir(), StoredSecrets.sealedWith(database.dataSource()));
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new Host.StartRefused(e.getMessage());
    }
  }
}
