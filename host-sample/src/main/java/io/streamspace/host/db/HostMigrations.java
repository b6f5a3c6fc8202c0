package io.streamspace.host.db;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/** Migrates the host's own tables (Quartz's and {@code host_*}) with Flyway. */
public final class HostMigrations {

  private HostMigrations() {}

  /**
   * Applies {@code db/host} migrations. The history table is the host's own and baselining at
   * version 0 lets Flyway start in a {@code public} schema that plugins' tables already share.
   */
  public static void migrate(DataSource dataSource) {
    Flyway.configure()
        .dataSource(dataSource)
        .locations("classpath:db/host")
        .table("host_schema_history")
        .baselineOnMigrate(true)
        .baselineVersion("0")
        .load()
        .migrate();
  }
}
