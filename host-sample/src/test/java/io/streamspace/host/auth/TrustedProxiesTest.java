package io.streamspace.host.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrustedProxiesTest {

  private static TrustedProxies trusting(String value) {
    return TrustedProxies.from(Map.of(TrustedProxies.ENV, value));
  }

  @Test
  void theClientIsTheRightMostHopThatIsNotATrustedProxy() {
    TrustedProxies proxies = trusting("10.0.0.0/8, 192.0.2.7");
    // client wrote 198.51.100.1; the outer proxy 192.0.2.7 appended 203.0.113.5, then the inner
    // 10.1.2.3 appended 192.0.2.7 and called us
    assertEquals(
        "203.0.113.5",
        proxies.clientOf("10.1.2.3", List.of("198.51.100.1", "203.0.113.5", "192.0.2.7")));
    assertEquals("203.0.113.5", proxies.clientOf("10.1.2.3", List.of("203.0.113.5")));
  }

  @Test
  void aSocketAddressThatIsNoTrustedProxyIsTheClient_whateverTheHeaderSays() {
    assertEquals(
        "203.0.113.9",
        trusting("10.0.0.0/8").clientOf("203.0.113.9", List.of("10.9.9.9", "198.51.100.1")));
    assertEquals("127.0.0.1", TrustedProxies.NONE.clientOf("127.0.0.1", List.of("198.51.100.1")));
  }

  @Test
  void aHopThatIsNoAddressStopsTheWalkAtTheProxyThatReportedIt() {
    assertEquals("10.1.2.3", trusting("10.0.0.0/8").clientOf("10.1.2.3", List.of("evil\nline")));
    assertEquals("10.1.2.3", trusting("10.0.0.0/8").clientOf("10.1.2.3", List.of("example.com")));
  }

  @Test
  void ipv6RangesAndBracketedHopsAreRead() {
    assertEquals(
        "2001:db8:0:0:0:0:0:1",
        trusting("fd00::/8").clientOf("fd00:0:0:0:0:0:0:5", List.of("[2001:db8::1]")));
  }

  @Test
  void anEntryThatIsNoAddressOrRangeIsRefusedNamingTheVariable() {
    for (String bad : List.of("proxy.example.com", "10.0.0.0/33", "10.0.0.1/x", "300.1.1.1")) {
      IllegalArgumentException refused =
          assertThrows(IllegalArgumentException.class, () -> trusting(bad), bad);
      assertEquals(
          TrustedProxies.ENV
              + " must list IP addresses or CIDR ranges, comma-separated; "
              + bad
              + " is neither",
          refused.getMessage());
    }
    assertEquals(TrustedProxies.NONE, TrustedProxies.from(Map.of()), "off by default");
  }
}
