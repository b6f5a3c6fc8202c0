package io.streamspace.host;

import io.streamspace.host.db.Database;
import io.streamspace.host.db.HostMigrations;
import io.streamspace.host.metrics.HostMetrics;
import javax.sql.DataSource;

/**
 * The database every part uses, migrated, and the metrics registry: born with the pool because it
 * holds the pool's meters, so it stops after the pool.
 */
record DatabaseWiring(Database database, HostMetrics metrics) {

  /**
   * Opens the embedded database or the external one, records its pool's meters and migrates it.
   *
   * @throws Host.StartRefused when another host holds the data folder or the database is
   *     unreachable
   */
  static DatabaseWiring open(HostOptions options, OpenedParts parts) {
    Database database = parts.open(openDatabase(options));
    HostMetrics metrics = parts.openStoppedAfterTheRest(new HostMetrics());
    database.recordPoolMetrics(metrics.registry());
    HostMigrations.migrate(database.dataSource());
    return new DatabaseWiring(database, metrics);
  }

  private static Database openDatabase(HostOptions options) {
    String url =
        options.dbUrl() != null ? options.dbUrl() : options.secrets().get("BILLING_DB_URL");
    try {
      if (url != null && !url.isBlank()) {
        return Database.external(url, options.secrets());
      }
      return Database.embedded(options.dataDir(), !options.unsafeFastEmbeddedDatabase());
    } catch (Database.Refused e) {
      throw new Host.StartRefused(e.getMessage(), e);
    }
  }

  /** The pool every part of the host and its plugins uses. */
  DataSource dataSource() {
    return database.dataSource();
  }
}
