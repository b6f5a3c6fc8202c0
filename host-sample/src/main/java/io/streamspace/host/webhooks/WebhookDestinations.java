package io.streamspace.host.webhooks;

import io.streamspace.host.net.AddressBlock;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where webhooks may go: by default only to public addresses, so an endpoint cannot make the host
 * probe its own network or its operator's (loopback, private, shared address space, link-local
 * with the cloud metadata address, unique local, unspecified, multicast, and the blocks no public
 * host has: {@link #NOT_PUBLIC}) and read the answers in its deliveries. An operator whose
 * platform is inside that network allows it with {@link #ALLOW_PRIVATE_ENV}.
 */
public final class WebhookDestinations {

  public static final String ALLOW_PRIVATE_ENV = "STREAMSPACE_WEBHOOKS_ALLOW_PRIVATE";

  private static final Pattern IPV4_LITERAL = Pattern.compile("[0-9.]+");

  private final boolean allowPrivate;

  public WebhookDestinations(boolean allowPrivate) {
    this.allowPrivate = allowPrivate;
  }

  /** The destinations the environment allows: private ones only with the variable "true". */
  public static WebhookDestinations from(Map<String, String> environment) {
    return new WebhookDestinations("true".equalsIgnoreCase(environment.get(ALLOW_PRIVATE_ENV)));
  }

  /**
   * Why an endpoint's URL may not be registered, when its host is an IP address of the network
   * (a name is checked at each attempt, {@link #refusal}: what it resolves to may change).
   */
  Optional<String> refusalOfLiteral(URI url) {
    String host = url.getHost();
    boolean literal = host.startsWith("[") || IPV4_LITERAL.matcher(host).matches();
    if (allowPrivate || !literal) {
      return Optional.empty();
    }
    try {
      InetAddress address = InetAddress.getByName(host); // a literal: no lookup
      return isPrivate(address) ? Optional.of(why(host, address)) : Optional.empty();
    } catch (UnknownHostException e) {
      return Optional.empty(); // not an address after all: the attempt will fail naming it
    }
  }

  /**
   * Why nothing may be sent to {@code url} now: one of the addresses its host resolves to is of
   * the network. Empty when it may be sent (private ones allowed, or all addresses public).
   */
  Optional<String> refusal(URI url) {
    if (allowPrivate) {
      return Optional.empty();
    }
    String host = url.getHost();
    try {
      for (InetAddress address : InetAddress.getAllByName(host)) {
        if (isPrivate(address)) {
          return Optional.of(why(host, address));
        }
      }
      return Optional.empty();
    } catch (UnknownHostException e) {
      return Optional.of("destination " + host + " could not be resolved");
    }
  }

  private static String why(String host, InetAddress address) {
    return "destination "
        + host
        + " is not a public address ("
        + address.getHostAddress()
        + ", "
        + rangeOf(address).orElse("not public")
        + "): webhooks go to public addresses only unless the host is started with "
        + ALLOW_PRIVATE_ENV
        + "=true";
  }

  /** An address block and what it is for. */
  private record Block(AddressBlock addresses, String kind) {

    static Block of(String cidr, String kind) {
      return new Block(AddressBlock.of(cidr), kind);
    }

    boolean contains(byte[] address) {
      return addresses.contains(address);
    }
  }

  /**
   * Every block that is not the public internet (IANA's special-purpose registries, RFC 6890 and
   * its updates): the host's own network, the operator's (shared address space behind a carrier's
   * NAT, often a cloud's internal one), blocks no public host has (documentation, benchmarking,
   * reserved) and multicast. ::ffff:a.b.c.d is mapped to IPv4 by Java itself; the IPv6 blocks
   * that carry an IPv4 address (IPv4-compatible, NAT64, 6to4) are judged by the address they
   * carry.
   */
  private static final List<Block> NOT_PUBLIC =
      List.of(
          Block.of("0.0.0.0/8", "\"this network\""),
          Block.of("10.0.0.0/8", "private, RFC 1918"),
          Block.of("100.64.0.0/10", "shared address space, RFC 6598"),
          Block.of("127.0.0.0/8", "loopback"),
          Block.of("169.254.0.0/16", "link-local, with the cloud metadata address"),
          Block.of("172.16.0.0/12", "private, RFC 1918"),
          Block.of("192.0.0.0/24", "IETF protocol assignments"),
          Block.of("192.0.2.0/24", "documentation"),
          Block.of("192.88.99.0/24", "6to4 relay anycast, deprecated"),
          Block.of("192.168.0.0/16", "private, RFC 1918"),
          Block.of("198.18.0.0/15", "benchmarking"),
          Block.of("198.51.100.0/24", "documentation"),
          Block.of("203.0.113.0/24", "documentation"),
          Block.of("224.0.0.0/4", "multicast"),
          Block.of("240.0.0.0/4", "reserved, and the broadcast address"),
          Block.of("::/128", "unspecified"),
          Block.of("::1/128", "loopback"),
          Block.of("64:ff9b:1::/48", "local-use NAT64"),
          Block.of("100::/64", "discard-only"),
          Block.of("2001:db8::/32", "documentation"),
          Block.of("fc00::/7", "unique local"),
          Block.of("fe80::/10", "link-local"),
          Block.of("fec0::/10", "site-local, deprecated"),
          Block.of("ff00::/8", "multicast"));

  /** IPv6 blocks whose addresses carry an IPv4 address: the block and where the four bytes are. */
  private record Carrier(Block block, int offset) {}

  private static final List<Carrier> CARRIERS =
      List.of(
          new Carrier(Block.of("::/96", "IPv4-compatible"), 12),
          new Carrier(Block.of("64:ff9b::/96", "NAT64"), 12),
          new Carrier(Block.of("2002::/16", "6to4"), 2));

  static boolean isPrivate(InetAddress address) {
    return rangeOf(address).isPresent();
  }

  /**
   * What the address's block is for, when it is not a public address; of an IPv6 address carrying
   * an IPv4 one, which and what that one's block is for.
   */
  static Optional<String> rangeOf(InetAddress address) {
    byte[] bytes = address.getAddress();
    for (Block block : NOT_PUBLIC) {
      if (block.contains(bytes)) {
        return Optional.of(block.kind());
      }
    }
    for (Carrier carrier : CARRIERS) {
      if (carrier.block().contains(bytes)) {
        InetAddress carried = carried(bytes, carrier.offset());
        return rangeOf(carried)
            .map(kind -> carrier.block().kind() + " of " + carried.getHostAddress() + ": " + kind);
      }
    }
    return Optional.empty();
  }

  /** The four bytes at {@code offset}, as an IPv4 address. */
  private static InetAddress carried(byte[] bytes, int offset) {
    try {
      return InetAddress.getByAddress(Arrays.copyOfRange(bytes, offset, offset + 4));
    } catch (UnknownHostException e) {
      throw new IllegalStateException("four bytes are always an address", e);
    }
  }
}
