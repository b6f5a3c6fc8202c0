package io.streamspace.host.net;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Optional;

/**
 * A block of IP addresses in CIDR notation: the first {@code prefix} bits of an address, as in
 * {@code 10.0.0.0/8} or {@code fc00::/7}; an address alone is the block of all its bits. Only IP
 * literals are read, never names, which would be looked up in DNS. An IPv4 block holds no IPv6
 * address and the other way round (Java itself reads {@code ::ffff:a.b.c.d} as IPv4).
 */
public final class AddressBlock {

  private final byte[] network;
  private final int prefix;

  private AddressBlock(byte[] network, int prefix) {
    this.network = network;
    this.prefix = prefix;
  }

  /** The block {@code text} writes; empty when it is no IP literal or its prefix is no length. */
  public static Optional<AddressBlock> parse(String text) {
    int slash = text.indexOf('/');
    Optional<InetAddress> address = literal(slash < 0 ? text : text.substring(0, slash));
    if (address.isEmpty()) {
      return Optional.empty();
    }
    byte[] bytes = address.get().getAddress();
    int bits = bytes.length * 8;
    if (slash >= 0) {
      try {
        bits = Integer.parseInt(text.substring(slash + 1).strip());
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
      if (bits < 0 || bits > bytes.length * 8) {
        return Optional.empty();
      }
    }
    return Optional.of(new AddressBlock(bytes, bits));
  }

  /**
   * The block {@code cidr} writes, for blocks the code names itself.
   *
   * @throws IllegalArgumentException when it writes none
   */
  public static AddressBlock of(String cidr) {
    return parse(cidr).orElseThrow(() -> new IllegalArgumentException("no address block: " + cidr));
  }

  /** An IP literal (IPv6 in brackets or not), never a name: a name would be looked up in DNS. */
  public static Optional<InetAddress> literal(String text) {
    String bare = text.strip();
    if (bare.startsWith("[") && bare.endsWith("]")) {
      bare = bare.substring(1, bare.length() - 1);
    }
    boolean ipv4 = bare.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    boolean ipv6 = bare.contains(":") && bare.matches("[0-9A-Fa-f:.]+");
    if (!ipv4 && !ipv6) {
      return Optional.empty();
    }
    try {
      return Optional.of(InetAddress.getByName(bare)); // a literal: no lookup
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }

  /** Whether {@code address} is in this block. */
  public boolean contains(InetAddress address) {
    return contains(address.getAddress());
  }

  /** Whether the address of these bytes (4 for IPv4, 16 for IPv6) is in this block. */
  public boolean contains(byte[] address) {
    if (address.length != network.length) {
      return false;
    }
    for (int bit = 0; bit < prefix; bit++) {
      int mask = 0x80 >>> (bit % 8);
      if ((address[bit / 8] & mask) != (network[bit / 8] & mask)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof AddressBlock block
        && prefix == block.prefix
        && Arrays.equals(network, block.network);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(network) + prefix;
  }

  @Override
  public String toString() {
    try {
      return InetAddress.getByAddress(network).getHostAddress() + "/" + prefix;
    } catch (UnknownHostException e) {
      throw new IllegalStateException("4 or 16 bytes are always an address", e);
    }
  }
}
