package io.streamspace.host.db;

import io.streamspace.host.secrets.PrivateFile;
import java.nio.file.Path;

/**
 * The embedded PostgreSQL's superuser password: generated once, kept in a file of the host's
 * data folder that only its user can read (0600), read at every start.
 */
final class DatabasePassword {

  static final String FILE_NAME = "db-password";
  private static final int RANDOM_BYTES = 32;

  private DatabasePassword() {}

  /** The file {@link #readOrCreate} keeps the password in. */
  static Path file(Path dataDir) {
    return dataDir.resolve(FILE_NAME);
  }

  /**
   * The password in {@code dataDir}'s file, created with a new random one when there is none.
   * Its letters (base64url) need no quoting in SQL or in initdb's password file.
   */
  static String readOrCreate(Path dataDir) {
    return PrivateFile.readOrCreate(
        dataDir, FILE_NAME, RANDOM_BYTES, "the embedded database's password");
  }
}
