package io.streamspace.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.streamspace.host.support.HostClient;
import io.streamspace.host.support.HostTestBase;
import io.streamspace.host.support.LogCapture;
import io.streamspace.host.support.TestPlatform;
import io.streamspace.testing.TestDatabases;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The platform's sign-in at start: a variable that is not valid stops the start with one line; a
 * JWKS that cannot be read yet does not, it is logged in one line.
 */
class PlatformSignInStartTest {

  private static final String NOT_A_KEY =
      "-----BEGIN PUBLIC KEY-----\nbm90IGEga2V5IGF0IGFsbA==\n-----END PUBLIC KEY-----";

  @Test
  void aPublicKeyThatIsNoKeyStopsTheStartWithOneLine() {
    Host.StartRefused refused =
        assertThrows(
            Host.StartRefused.class,
            () ->
                HostTestBase.startPluginless(
                    "jdbc:postgresql://127.0.0.1:1/never-reached",
                    Map.of(
                        "STREAMSPACE_JWT_PUBLIC_KEY", NOT_A_KEY,
                        "STREAMSPACE_JWT_ISSUER", TestPlatform.ISSUER,
                        "STREAMSPACE_JWT_AUDIENCE", TestPlatform.AUDIENCE)));
    assertEquals(
        "STREAMSPACE_JWT_PUBLIC_KEY is not an RSA or EC public key (PEM 'BEGIN PUBLIC KEY', a"
            + " certificate, or its base64)",
        refused.getMessage());
    assertFalse(refused.getMessage().contains("\n"));
  }

  @Test
  void aJwksThatCannotBeReadYetIsLoggedInOneLine_andTheHostStarts() {
    String jwks = "http://127.0.0.1:1/realms/streamspace/protocol/openid-connect/certs";
    List<String> lines =
        LogCapture.during(
            () -> {
              try (Host host =
                  HostTestBase.startPluginless(
                      TestDatabases.freshDatabaseUrl(),
                      Map.of(
                          "STREAMSPACE_JWT_JWKS_URL", jwks,
                          "STREAMSPACE_JWT_ISSUER", TestPlatform.ISSUER,
                          "STREAMSPACE_JWT_AUDIENCE", TestPlatform.AUDIENCE))) {
                assertEquals(200, new HostClient(host.port()).get("/api/health", null).status());
              }
            });
    List<String> warnings = lines.stream().filter(l -> l.contains("Platform sign-in")).toList();
    assertEquals(1, warnings.size(), lines.toString());
    assertEquals(
        "WARN Platform sign-in: the JWKS at "
            + jwks
            + " could not be read yet (Couldn't retrieve JWK set from URL: Connection refused);"
            + " platform tokens are refused until it can",
        warnings.get(0));
  }
}
