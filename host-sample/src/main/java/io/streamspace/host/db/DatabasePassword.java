package io.streamspace.host.db;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;

/**
 * The embedded PostgreSQL's superuser password: generated once, kept in a file of the host's
 * data folder that only its user can read (0600), read at every start.
 */
final class DatabasePassword {

  static final String FILE_NAME = "db-password";
  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");
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
    Path file = file(dataDir);
    try {
      if (!Files.exists(file)) {
        Files.createDirectories(dataDir);
        // written whole under another name, then renamed: a crash never leaves half a password
        Path partial =
            Files.createTempFile(
                dataDir, FILE_NAME, ".partial", PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        Files.writeString(partial, generate() + "\n");
        Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE);
      }
      // kept private even if someone widened it
      Files.setPosixFilePermissions(file, OWNER_ONLY);
      String password = Files.readString(file).strip();
      if (password.isEmpty()) {
        throw new IllegalStateException(
            file + " is empty; restore the embedded database's password into it");
      }
      return password;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot keep the embedded database's password in " + file, e);
    }
  }

  private static String generate() {
    byte[] bytes = new byte[RANDOM_BYTES];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
