package io.streamspace.host;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.host.auth.TrustedProxies;
import io.streamspace.host.support.HostClient;
import io.streamspace.host.support.HostTestBase;
import io.streamspace.host.support.RecordingPlugin;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Clients behind a reverse proxy: with {@code STREAMSPACE_TRUSTED_PROXIES} naming it, each is
 * throttled under the address the proxy appended to {@code X-Forwarded-For}; without it, the
 * header is ignored and everyone behind one socket address shares its count.
 */
class TrustedProxyThrottleTest extends HostTestBase {

  @Override
  protected Map<String, String> secrets() {
    Map<String, String> secrets = new HashMap<>(super.secrets());
    // the test's requests come from loopback, as from a proxy on this machine
    secrets.put(TrustedProxies.ENV, "127.0.0.0/8, ::1");
    return secrets;
  }

  private static Map<String, String> forwardedFor(String hops) {
    return Map.of("X-Forwarded-For", hops);
  }

  @Test
  void withTheProxyTrustedTwoClientsBehindItAreThrottledApart() {
    clock.advance(Duration.ofHours(1)); // a window of its own
    for (int i = 0; i < 10; i++) {
      assertEquals(
          401,
          http.call("GET", "/api/admin/plugins", "guess-" + i, null, forwardedFor("203.0.113.5"))
              .status());
    }
    assertEquals(
        429,
        http.call("GET", "/api/admin/plugins", "guess-10", null, forwardedFor("203.0.113.5"))
            .status(),
        "the guessing client");
    assertEquals(
        401,
        http.call("GET", "/api/admin/plugins", "stale", null, forwardedFor("203.0.113.6")).status(),
        "another client behind the same proxy: its own count");
    // the client cannot escape by writing hops of its own: the proxy appends its real address
    assertEquals(
        429,
        http.call(
                "GET",
                "/api/admin/plugins",
                "guess-11",
                null,
                forwardedFor("198.51.100.1, 203.0.113.5"))
            .status(),
        "a made-up hop left of the proxy's is not read");
  }

  @Test
  void withoutTrustedProxiesXForwardedForIsIgnored() {
    Map<String, String> secrets = new HashMap<>(super.secrets());
    try (Host untrusting =
        Host.start(nodeOptions(new RecordingPlugin()).secrets(secrets).build())) {
      HostClient node = new HostClient(untrusting.port());
      for (int i = 0; i < 10; i++) {
        assertEquals(
            401,
            node.call(
                    "GET", "/api/admin/plugins", "guess-" + i, null, forwardedFor("203.0.113." + i))
                .status());
      }
      assertEquals(
          429,
          node.call("GET", "/api/admin/plugins", "guess-10", null, forwardedFor("203.0.113.99"))
              .status(),
          "one socket address, one count, whatever the header says");
    }
  }
}
