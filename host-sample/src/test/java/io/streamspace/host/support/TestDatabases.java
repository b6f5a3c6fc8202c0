package io.streamspace.host.support;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/** One embedded PostgreSQL per test JVM; each caller gets a fresh, empty database on it. */
public final class TestDatabases {

  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static EmbeddedPostgres postgres;

  private TestDatabases() {}

  private static synchronized EmbeddedPostgres server() {
    if (postgres == null) {
      try {
        postgres = EmbeddedPostgres.builder().start();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      Runtime.getRuntime().addShutdownHook(new Thread(TestDatabases::stop));
    }
    return postgres;
  }

  private static void stop() {
    try {
      postgres.close();
    } catch (IOException ignored) {
      // the JVM is exiting
    }
  }

  /** Creates an empty database and returns its JDBC URL (user and password in the query). */
  public static String freshDatabaseUrl() {
    String name = "host_test_" + COUNTER.incrementAndGet();
    EmbeddedPostgres server = server();
    try (Connection connection = server.getPostgresDatabase().getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return server.getJdbcUrl("postgres", name);
  }
}
