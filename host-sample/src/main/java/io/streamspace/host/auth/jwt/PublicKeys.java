package io.streamspace.host.auth.jwt;

import com.nimbusds.jose.util.X509CertUtils;
import java.security.KeyFactory;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/** Reads the platform's public key as operators copy it. */
final class PublicKeys {

  private static final String CERTIFICATE = "-----BEGIN CERTIFICATE-----";

  private PublicKeys() {}

  /**
   * An RSA or EC public key: PEM ({@code BEGIN PUBLIC KEY}), a PEM certificate, or the bare
   * base64 that Keycloak's realm settings show.
   *
   * @throws IllegalArgumentException naming {@code variable} (never its value)
   */
  static PublicKey parse(String text, String variable) {
    if (text.contains(CERTIFICATE)) {
      X509Certificate certificate = X509CertUtils.parse(text);
      if (certificate == null) {
        throw notAKey(variable);
      }
      return certificate.getPublicKey();
    }
    String base64 = text.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s", "");
    byte[] der;
    try {
      der = Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      throw notAKey(variable);
    }
    for (String algorithm : new String[] {"RSA", "EC"}) {
      try {
        return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
      } catch (InvalidKeySpecException e) {
        // try the next kind
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(algorithm + " is part of every JDK", e);
      }
    }
    throw notAKey(variable);
  }

  private static IllegalArgumentException notAKey(String variable) {
    return new IllegalArgumentException(
        variable
            + " is not an RSA or EC public key (PEM 'BEGIN PUBLIC KEY', a certificate, or"
            + " its base64)");
  }
}
