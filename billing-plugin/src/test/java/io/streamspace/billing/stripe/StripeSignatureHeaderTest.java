package io.streamspace.billing.stripe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The {@code Stripe-Signature} header read strictly, and its timestamp's tolerance both ways. */
class StripeSignatureHeaderTest {

  private static final Instant NOW = Instant.ofEpochSecond(1_773_306_000L);

  @Test
  void stripesHeaderIsRead_withSeveralSignaturesAndItsTestSchemeV0() throws Exception {
    StripeSignatureHeader header =
        StripeSignatureHeader.parse("t=1773306000,v1=5257a869,v1=e2ef3a1c,v0=6ffbb59b");

    assertEquals(NOW, header.timestamp());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "''                          | it is missing or empty",
        "t=abc,v1=5257a869           | its t is not a time in seconds of at most 12 digits",
        "t=-1,v1=5257a869            | its t is not a time in seconds of at most 12 digits",
        "t=99999999999999999999,v1=a | its t is not a time in seconds of at most 12 digits",
        "v1=5257a869                 | it has no t",
        "t=1773306000                | it has no v1 signature",
        "t=1773306000,v1=            | it has no v1 signature",
        "t=1,t=1773306000,v1=a       | it has more than one t",
        "t,t=1773306000,v1=a         | an item is not key=value",
        "t=1773306000,,v1=a          | an item is not key=value",
        "=1,t=1773306000,v1=a        | an item is not key=value"
      })
  void aMalformedHeaderIsRefusedSayingWhy(String header, String why) {
    StripeSignatureHeader.Malformed refused =
        assertThrows(
            StripeSignatureHeader.Malformed.class, () -> StripeSignatureHeader.parse(header));

    assertEquals(why, refused.getMessage());
    assertEquals(0, refused.getStackTrace().length, "nothing to print but the reason");
  }

  @Test
  void theToleranceHoldsBothWays_toTheSecond() throws Exception {
    // 300 s either side of now is within; 301 s either side is not
    assertTrue(at(NOW.minusSeconds(300)).within(NOW, 300));
    assertTrue(at(NOW.plusSeconds(300)).within(NOW, 300));
    assertFalse(at(NOW.minusSeconds(301)).within(NOW, 300));
    assertFalse(at(NOW.plusSeconds(301)).within(NOW, 300));
    assertFalse(at(NOW.plusSeconds(100_000_000)).within(NOW, 300));
  }

  private static StripeSignatureHeader at(Instant t) throws Exception {
    return StripeSignatureHeader.parse("t=" + t.getEpochSecond() + ",v1=5257a869");
  }
}
