package io.streamspace.host.secrets;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Encrypts secrets for storage: AES-256-GCM, a random 96-bit nonce per value, and the place the
 * value belongs to (plugin and key) as associated data, so a value copied to another place does
 * not decrypt. A stored value reads {@code v1:<key id>:<base64 of nonce and ciphertext>}.
 *
 * <p>The key is loaded at first use, so a host that never stores a secret never makes one.
 * Messages name places and key ids, never a value.
 */
public final class SecretBox {

  /** A stored value this host cannot decrypt; the message says why and what to do. */
  public static final class UnreadableSecret extends IllegalStateException {
    UnreadableSecret(String message) {
      super(message);
    }
  }

  private static final Logger log = LoggerFactory.getLogger(SecretBox.class);
  private static final String VERSION = "v1";
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;

  private final Supplier<SecretsKey> keySource;
  private final SecureRandom random = new SecureRandom();
  private volatile SecretsKey key;

  /** By place, the stored value last reported unreadable: each is reported once. */
  private final Map<String, String> reportedUnreadable = new ConcurrentHashMap<>();

  public SecretBox(Supplier<SecretsKey> keySource) {
    this.keySource = keySource;
  }

  private SecretsKey key() {
    SecretsKey loaded = key;
    if (loaded == null) {
      synchronized (this) {
        if (key == null) {
          key = keySource.get();
        }
        loaded = key;
      }
    }
    return loaded;
  }

  /** {@code plaintext} encrypted for {@code place} ({@code billing/stripeSecretKey}, say). */
  public String seal(String plaintext, String place) {
    SecretsKey current = key();
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    byte[] sealed;
    try {
      sealed = crypt(Cipher.ENCRYPT_MODE, current, nonce, place, utf8(plaintext));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM failed: " + e.getClass().getSimpleName(), e);
    }
    byte[] stored =
        ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array();
    return VERSION + ":" + current.id() + ":" + Base64.getEncoder().encodeToString(stored);
  }

  /** The plaintext of a value {@link #seal} made for {@code place}. */
  public String open(String stored, String place) {
    String[] parts = stored.split(":", 3);
    if (parts.length != 3 || !parts[0].equals(VERSION)) {
      throw new UnreadableSecret(
          "The stored secret " + place + " is not in a format this host reads");
    }
    SecretsKey current = key();
    if (!parts[1].equals(current.id())) {
      throw new UnreadableSecret(
          "The stored secret "
              + place
              + " was encrypted with secrets key "
              + parts[1]
              + ", this host has key "
              + current.id()
              + ": give every node sharing the database the same "
              + SecretsKey.ENVIRONMENT_VARIABLE
              + ", or set the secret again");
    }
    try {
      ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(parts[2]));
      byte[] nonce = new byte[NONCE_BYTES];
      bytes.get(nonce);
      byte[] sealed = new byte[bytes.remaining()];
      bytes.get(sealed);
      return new String(
          crypt(Cipher.DECRYPT_MODE, current, nonce, place, sealed), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException | BufferUnderflowException | AEADBadTagException e) {
      throw new UnreadableSecret(
          "The stored secret "
              + place
              + " does not decrypt with secrets key "
              + current.id()
              + ": it was altered or belongs elsewhere; set it again");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM failed: " + e.getClass().getSimpleName(), e);
    }
  }

  /**
   * The plaintext of a value {@link #seal} made for {@code place}, or empty when this host cannot
   * read it: the reason is logged as a warning once per place and stored value (a value stored
   * there again is reported again), naming the place and key ids, never a value.
   */
  public Optional<String> openIfReadable(String stored, String place) {
    try {
      return Optional.of(open(stored, place));
    } catch (UnreadableSecret e) {
      if (!stored.equals(reportedUnreadable.put(place, stored))) {
        log.warn("{}; until then it counts as unset", e.getMessage());
      }
      return Optional.empty();
    }
  }

  private static byte[] crypt(int mode, SecretsKey key, byte[] nonce, String place, byte[] input)
      throws GeneralSecurityException {
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(mode, key.key(), new GCMParameterSpec(TAG_BITS, nonce));
    cipher.updateAAD(utf8(place));
    return cipher.doFinal(input);
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
