package io.streamspace.host.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;

/**
 * What a host's data folder says about its embedded PostgreSQL, read from outside the host as
 * an operator would: the server's pid and port ({@code pg/postmaster.pid}) and the password the
 * host keeps ({@code db-password}).
 */
public record EmbeddedDatabaseFolder(Path dataDir) {

  public Path pgDir() {
    return dataDir.resolve("pg");
  }

  public Path passwordFile() {
    return dataDir.resolve("db-password");
  }

  /** The running server's postmaster pid. */
  public long postmasterPid() {
    return Long.parseLong(pidFileLine(0));
  }

  /** The port the running server listens on. */
  public int port() {
    return Integer.parseInt(pidFileLine(3));
  }

  public String password() {
    try {
      return Files.readString(passwordFile()).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A connection to the running server over loopback, as the superuser with the host's password. */
  public Connection connect() throws SQLException {
    return connect(password());
  }

  /** The JDBC URL {@link #connect()} connects to, with the superuser and the host's password. */
  public String url() {
    return address() + "?user=postgres&password=" + password();
  }

  /** The same with any password (null: none). */
  public Connection connect(String password) throws SQLException {
    return DriverManager.getConnection(address(), "postgres", password);
  }

  /** The running server's database over loopback, as a JDBC URL without credentials. */
  private String address() {
    return "jdbc:postgresql://127.0.0.1:" + port() + "/postgres";
  }

  /** The value of a server setting, as {@code SHOW} gives it. */
  public String show(String setting) throws SQLException {
    try (Connection connection = connect();
        var result = connection.createStatement().executeQuery("SHOW " + setting)) {
      result.next();
      return result.getString(1);
    }
  }

  private String pidFileLine(int index) {
    try {
      List<String> lines = Files.readAllLines(pgDir().resolve("postmaster.pid"));
      return lines.get(index).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
