package io.streamspace.host.secrets;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Supplier;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The AES-256 key the host encrypts stored secrets with: {@value #ENVIRONMENT_VARIABLE} (32 bytes
 * in base64) when set, else one generated once into the data folder's {@value #FILE_NAME} (0600).
 * Nodes sharing a database must share it: give each the same {@value #ENVIRONMENT_VARIABLE}.
 *
 * @param id a short fingerprint of the key, stored next to each value it encrypts, so that a node
 *     with another key says so instead of failing obscurely; it reveals nothing of the key
 */
public record SecretsKey(SecretKey key, String id) {

  public static final String ENVIRONMENT_VARIABLE = "STREAMSPACE_SECRETS_KEY";
  public static final String FILE_NAME = "secrets-key";
  private static final int BYTES = 32;
  private static final String WHAT = "the secrets key";

  public SecretsKey {
    if (key.getEncoded().length != BYTES) {
      throw new IllegalArgumentException("a secrets key has " + BYTES + " bytes");
    }
  }

  /**
   * Where the key comes from: {@code environment}'s variable, checked now (a bad one is refused
   * at once, naming the variable), else {@code dataDir}'s file, read only when first asked for.
   * The file is made then only while no secret is stored (so a host that never stores a secret
   * never makes one): a new key would leave the stored ones unreadable.
   *
   * @param sealedWith the id of the key each stored secret was encrypted with, by place
   *     ({@code billing/stripeWebhookSecret})
   * @throws IllegalArgumentException when the variable is set but holds no 32-byte key
   * @throws IllegalStateException when the variable is unset, secrets are stored and the file
   *     that would hold their key does not exist; the message says what to do
   */
  public static Supplier<SecretsKey> source(
      Map<String, String> environment, Path dataDir, Map<String, String> sealedWith) {
    String fromEnvironment = environment.get(ENVIRONMENT_VARIABLE);
    if (fromEnvironment != null) {
      SecretsKey key = of(fromEnvironment, ENVIRONMENT_VARIABLE);
      return () -> key;
    }
    Path file = dataDir.resolve(FILE_NAME);
    if (sealedWith.isEmpty()) {
      return () -> of(PrivateFile.readOrCreate(dataDir, FILE_NAME, BYTES, WHAT), file.toString());
    }
    if (!Files.exists(file)) {
      throw new IllegalStateException(
          "Stored plugin secrets ("
              + String.join(", ", new TreeSet<>(sealedWith.keySet()))
              + ") were encrypted with secrets key "
              + String.join(", ", new TreeSet<>(sealedWith.values()))
              + ", but "
              + ENVIRONMENT_VARIABLE
              + " is not set and "
              + file
              + " does not exist: set "
              + ENVIRONMENT_VARIABLE
              + " to that key or restore that file (a new key would not read them);"
              + " if it is lost, put a new key in the file (openssl rand -base64 32)"
              + " and set those secrets again");
    }
    return () -> of(PrivateFile.read(file, WHAT), file.toString());
  }

  /**
   * A key from its base64 text (standard or URL-safe alphabet).
   *
   * @param source where the text came from, named when it is not a key (the text never is)
   */
  public static SecretsKey of(String base64, String source) {
    byte[] bytes = decode(base64.strip());
    if (bytes == null || bytes.length != BYTES) {
      throw new IllegalArgumentException(
          source + " must hold " + BYTES + " bytes in base64 (openssl rand -base64 32 makes one)");
    }
    return new SecretsKey(new SecretKeySpec(bytes, "AES"), fingerprint(bytes));
  }

  private static byte[] decode(String base64) {
    try {
      return base64.contains("-") || base64.contains("_")
          ? Base64.getUrlDecoder().decode(base64)
          : Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static String fingerprint(byte[] key) {
    try {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      sha256.update("streamspace secrets key id\n".getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(sha256.digest(key), 0, 4);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  @Override
  public String toString() {
    return "SecretsKey[" + id + "]";
  }
}
