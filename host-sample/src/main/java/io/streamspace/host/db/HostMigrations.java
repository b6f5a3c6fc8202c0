package io.streamspace.host.db;

import io.streamspace.common.db.AppliedMigrations;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/** Migrates the host's own tables (Quartz's and {@code host_*}) with Flyway. */
public final class HostMigrations {

  private static final String FOLDER = "db/host";
  private static final String HISTORY = "host_schema_history";

  private HostMigrations() {}

  /**
   * Applies {@code db/host} migrations. The history table is the host's own and baselining at
   * version 0 lets Flyway start in a {@code public} schema that plugins' tables already share. A
   * schema whose history holds exactly these migrations is told by one read, without starting
   * Flyway, where they are files in a folder (the tests' classes); from the host's jar (as it runs,
   * and in its image) Flyway checks them.
   */
  public static void migrate(DataSource dataSource) {
    ClassLoader loader = HostMigrations.class.getClassLoader();
    if (AppliedMigrations.upToDate(dataSource, loader, FOLDER, HISTORY).isPresent()) {
      return;
    }
    Flyway.configure(loader)
        .dataSource(dataSource)
        .locations("classpath:" + FOLDER)
        .table(HISTORY)
        .baselineOnMigrate(true)
        .baselineVersion("0")
        .load()
        .migrate();
  }
}
