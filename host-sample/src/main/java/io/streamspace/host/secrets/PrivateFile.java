package io.streamspace.host.secrets;

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
 * A secret the host generates once into a file of its data folder that only its user can read
 * (0600), and reads at every start: the embedded database's password, the secrets key.
 */
public final class PrivateFile {

  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");

  private PrivateFile() {}

  /**
   * The text in {@code dataDir}'s file {@code name}, created holding {@code randomBytes} random
   * bytes in base64url when there is none.
   *
   * @param what what the file holds, for error messages
   */
  public static String readOrCreate(Path dataDir, String name, int randomBytes, String what) {
    Path file = dataDir.resolve(name);
    try {
      if (!Files.exists(file)) {
        Files.createDirectories(dataDir);
        // written whole under another name, then renamed: a crash never leaves half a secret
        Path partial =
            Files.createTempFile(
                dataDir, name, ".partial", PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        Files.writeString(partial, random(randomBytes) + "\n");
        Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot keep " + what + " in " + file, e);
    }
    return read(file, what);
  }

  /**
   * The text in {@code file}, which must exist: for a secret that must not be made anew (one
   * made already encrypts what is stored).
   *
   * @param what what the file holds, for error messages
   */
  public static String read(Path file, String what) {
    try {
      // kept private even if someone widened it
      Files.setPosixFilePermissions(file, OWNER_ONLY);
      String text = Files.readString(file).strip();
      if (text.isEmpty()) {
        throw new IllegalStateException(file + " is empty; restore " + what + " into it");
      }
      return text;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot keep " + what + " in " + file, e);
    }
  }

  private static String random(int bytes) {
    byte[] random = new byte[bytes];
    new SecureRandom().nextBytes(random);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
  }
}
