package io.streamspace.common.db;

import java.io.BufferedReader;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import javax.sql.DataSource;

/**
 * Whether a Flyway history table already holds exactly the migrations of a folder on the class
 * path, as Flyway itself would find and check them: the same versions, descriptions and checksums,
 * each applied successfully. Asked before starting Flyway on every start, whose scan and parse of
 * every script through the class loader only to find nothing to do was 14 % of the host tests'
 * Java samples (their plugin starts, by Java Flight Recorder). Any doubt answers no and leaves the
 * work to Flyway: a folder inside a jar (the host run as {@code java -jar}) or in two places, a
 * file not named {@code V<version>__<description>.sql}, two files of one version, a history row of
 * another kind, a failed one, a missing table.
 */
public final class AppliedMigrations {

  // Flyway's default naming of versioned SQL migrations; a version's "_" reads as "."
  private static final Pattern VERSIONED = Pattern.compile("V(\\d+(?:[._]\\d+)*)__(.+)\\.sql");

  private AppliedMigrations() {}

  /** A migration as the history records it. */
  record Migration(String description, int checksum) {}

  /**
   * @return the latest version applied, when the history holds exactly the folder's migrations;
   *     empty when Flyway has something to do or to check
   */
  public static Optional<String> upToDate(
      DataSource dataSource, ClassLoader loader, String folder, String historyTable) {
    Optional<Map<String, Migration>> local = inFolder(loader, folder);
    if (local.isEmpty() || local.get().isEmpty()) {
      return Optional.empty();
    }
    Optional<Map<String, Migration>> applied = applied(dataSource, historyTable);
    if (applied.isEmpty() || !applied.get().equals(local.get())) {
      return Optional.empty();
    }
    return local.get().keySet().stream().max(AppliedMigrations::compareVersions);
  }

  /** The folder's migrations by version, or empty when they are not plain files Flyway names. */
  static Optional<Map<String, Migration>> inFolder(ClassLoader loader, String folder) {
    List<URL> urls;
    try {
      urls = Collections.list(loader.getResources(folder));
    } catch (IOException e) {
      return Optional.empty();
    }
    // Flyway reads the folder wherever the class path has it: one place only, here
    if (urls.size() != 1 || !"file".equals(urls.get(0).getProtocol())) {
      return Optional.empty();
    }
    Map<String, Migration> migrations = new HashMap<>();
    try (Stream<Path> files = Files.list(Path.of(urls.get(0).toURI()))) {
      for (Path file : files.toList()) {
        Matcher name = VERSIONED.matcher(file.getFileName().toString());
        if (!name.matches() || !Files.isRegularFile(file)) {
          return Optional.empty();
        }
        Migration migration = new Migration(name.group(2).replace('_', ' '), checksum(file));
        if (migrations.put(name.group(1).replace('_', '.'), migration) != null) {
          return Optional.empty(); // Flyway refuses two migrations of one version
        }
      }
    } catch (IOException | URISyntaxException | RuntimeException e) {
      return Optional.empty();
    }
    return Optional.of(migrations);
  }

  /**
   * Flyway's checksum of a script: the CRC-32 of its lines' UTF-8 bytes without their line
   * endings (so that line endings do not count) and without a byte order mark.
   */
  static int checksum(Path file) throws IOException {
    CRC32 crc = new CRC32();
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line = reader.readLine();
      if (line != null && line.startsWith("\uFEFF")) {
        line = line.substring(1);
      }
      for (; line != null; line = reader.readLine()) {
        crc.update(line.getBytes(StandardCharsets.UTF_8));
      }
    }
    return (int) crc.getValue();
  }

  // The baseline's row (Flyway's mark that the schema held other tables first) is not a
  // migration; a row of any other kind than a SQL migration, or a failed one, leaves it to Flyway.
  private static Optional<Map<String, Migration>> applied(
      DataSource dataSource, String historyTable) {
    Map<String, Migration> applied = new HashMap<>();
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(historyQuery(connection, historyTable))) {
      while (rows.next()) {
        String type = rows.getString("type");
        if ("BASELINE".equals(type) && rows.getBoolean("success")) {
          continue;
        }
        if (!"SQL".equals(type) || !rows.getBoolean("success")) {
          return Optional.empty();
        }
        Migration migration = new Migration(rows.getString("description"), rows.getInt("checksum"));
        if (applied.put(rows.getString("version"), migration) != null) {
          return Optional.empty();
        }
      }
    } catch (SQLException e) {
      return Optional.empty(); // no history yet, most likely: Flyway makes it
    }
    return Optional.of(applied);
  }

  // The table in the connection's current schema, where Flyway keeps it (a name alone would be
  // looked for along the whole search path).
  private static String historyQuery(Connection connection, String historyTable)
      throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT quote_ident(current_schema())")) {
      rows.next();
      return "SELECT version, description, checksum, type, success FROM "
          + rows.getString(1)
          + "."
          + historyTable;
    }
  }

  private static int compareVersions(String a, String b) {
    List<String> left = List.of(a.split("\\."));
    List<String> right = List.of(b.split("\\."));
    for (int i = 0; i < Math.max(left.size(), right.size()); i++) {
      BigInteger l = i < left.size() ? new BigInteger(left.get(i)) : BigInteger.ZERO;
      BigInteger r = i < right.size() ? new BigInteger(right.get(i)) : BigInteger.ZERO;
      if (!l.equals(r)) {
        return l.compareTo(r);
      }
    }
    return 0;
  }
}
