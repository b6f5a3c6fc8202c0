package io.streamspace.host.support;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Keycloak-style sign-in of the platform, for tests: an RSA and an EC signing key generated here,
 * their JWKS served at {@link #jwksUrl()} by the JDK's HTTP server, and tokens minted as Keycloak
 * mints them ({@code preferred_username}, {@code realm_access.roles}).
 */
public final class TestPlatform implements AutoCloseable {

  public static final String ISSUER = "https://sso.example.test/realms/streamspace";
  public static final String AUDIENCE = "streamspace-billing";

  /**
   * The platform's signing keys, generated once per JVM, not for each test: a 2048-bit RSA key is
   * about half a second of the tests' first-tier JIT (no intrinsic for its arithmetic). A key a
   * test needs to be another (an impostor's, the next in a rotation) is {@link #rsaKey}'s, new.
   */
  private static final RSAKey SIGNING_RSA = rsaKey("rsa-1");

  private static final ECKey SIGNING_EC = ecKey("ec-1");

  public final RSAKey rsa = SIGNING_RSA;
  public final ECKey ec = SIGNING_EC;

  /** How many times the JWKS was fetched. */
  public final AtomicInteger jwksFetches = new AtomicInteger();

  private final HttpServer server;
  private volatile JWKSet published = new JWKSet(List.of(rsa.toPublicJWK(), ec.toPublicJWK()));

  private TestPlatform(HttpServer server) {
    this.server = server;
  }

  /** Serves the JWKS of {@link #rsa} and {@link #ec}. */
  public static TestPlatform start() {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      TestPlatform platform = new TestPlatform(server);
      server.createContext(
          "/jwks",
          exchange -> {
            platform.jwksFetches.incrementAndGet();
            byte[] body = platform.published.toString().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
              out.write(body);
            }
          });
      server.start();
      return platform;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String jwksUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/jwks";
  }

  /** The host's variables for this platform's JWKS, issuer and audience (other defaults). */
  public Map<String, String> environment() {
    return Map.of(
        "STREAMSPACE_JWT_JWKS_URL", jwksUrl(),
        "STREAMSPACE_JWT_ISSUER", ISSUER,
        "STREAMSPACE_JWT_AUDIENCE", AUDIENCE);
  }

  /** From now on the JWKS holds these keys' public parts only (a key rotation). */
  public void publish(JWK... keys) {
    published = new JWKSet(List.of(keys).stream().map(JWK::toPublicJWK).toList());
  }

  /**
   * Claims as Keycloak writes them for {@code user} at {@code now}: valid 5 minutes, {@code sub}
   * an opaque id, the user name in {@code preferred_username}, the realm roles.
   */
  public static JWTClaimsSet.Builder claims(String user, Instant now, String... roles) {
    return new JWTClaimsSet.Builder()
        .issuer(ISSUER)
        .audience(List.of(AUDIENCE, "account"))
        .subject("f3c1e0c2-6f0a-4f9e-9d1b-" + Math.abs(user.hashCode()))
        .issueTime(Date.from(now))
        .expirationTime(Date.from(now.plus(Duration.ofMinutes(5))))
        .claim("preferred_username", user)
        .claim("realm_access", Map.of("roles", List.of(roles)));
  }

  /** {@code claims} signed with {@link #rsa} (RS256). */
  public String token(JWTClaimsSet.Builder claims) {
    return sign(rsa, JWSAlgorithm.RS256, claims.build());
  }

  /** {@code claims} signed with {@code key}, its key id in the header, typ JWT. */
  public static String sign(JWK key, JWSAlgorithm algorithm, JWTClaimsSet claims) {
    try {
      JWSSigner signer =
          key instanceof ECKey ecKey ? new ECDSASigner(ecKey) : new RSASSASigner((RSAKey) key);
      SignedJWT jwt =
          new SignedJWT(
              new JWSHeader.Builder(algorithm)
                  .keyID(key.getKeyID())
                  .type(JOSEObjectType.JWT)
                  .build(),
              claims);
      jwt.sign(signer);
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code key} as PEM ({@code BEGIN PUBLIC KEY}). */
  public static String pem(PublicKey key) {
    return "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(key.getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
  }

  public static RSAKey rsaKey(String keyId) {
    try {
      return new RSAKeyGenerator(2048).keyID(keyId).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  public static ECKey ecKey(String keyId) {
    try {
      return new ECKeyGenerator(Curve.P_256).keyID(keyId).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
