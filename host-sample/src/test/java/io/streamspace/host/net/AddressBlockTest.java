package io.streamspace.host.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AddressBlockTest {

  private static boolean in(String block, String address) throws Exception {
    return AddressBlock.of(block).contains(InetAddress.getByName(address));
  }

  @Test
  void aBlockHoldsTheAddressesSharingItsLeadingBits_evenWhenThePrefixEndsMidByte()
      throws Exception {
    assertTrue(in("10.0.0.0/8", "10.255.1.2"));
    assertFalse(in("10.0.0.0/8", "11.0.0.1"));
    // /12: 172.16.0.0 to 172.31.255.255
    assertTrue(in("172.16.0.0/12", "172.31.255.255"));
    assertFalse(in("172.16.0.0/12", "172.32.0.0"));
    assertTrue(in("fc00::/7", "fdff::1"));
    assertFalse(in("fc00::/7", "fe00::1"));
    assertTrue(in("0.0.0.0/0", "203.0.113.9"), "/0 holds every address of its family");
  }

  @Test
  void anAddressAloneIsTheBlockOfAllItsBits_andNoBlockHoldsTheOtherFamily() throws Exception {
    assertTrue(in("192.0.2.7", "192.0.2.7"));
    assertFalse(in("192.0.2.7", "192.0.2.8"));
    assertTrue(in("[::1]", "::1"));
    assertFalse(in("::/0", "127.0.0.1"), "an IPv6 block holds no IPv4 address");
    assertTrue(in("127.0.0.0/8", "::ffff:127.0.0.1"), "Java reads a mapped address as IPv4");
  }

  @Test
  void namesAndMalformedBlocksAreRefused_neverLookedUp() {
    for (String text :
        List.of(
            "localhost", "example.com/24", "10.0.0.0/33", "::/129", "10.0.0.0/-1", "10.0.0.0/x")) {
      assertEquals(Optional.empty(), AddressBlock.parse(text), text);
    }
    assertThrows(IllegalArgumentException.class, () -> AddressBlock.of("nowhere"));
    assertEquals(Optional.empty(), AddressBlock.literal("localhost"));
  }

  @Test
  void aBlockWritesItselfInCidrNotation() {
    assertEquals("10.0.0.0/8", AddressBlock.of("10.0.0.0/8").toString());
    assertEquals(AddressBlock.of("10.0.0.0/8"), AddressBlock.of(" 10.0.0.0/8"));
  }
}
