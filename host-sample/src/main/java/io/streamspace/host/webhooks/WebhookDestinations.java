package io.streamspace.host.webhooks;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where webhooks may go: by default only to public addresses, so an endpoint cannot make the host
 * probe its own network (loopback, private, link-local with the cloud metadata address, unique
 * local, unspecified, multicast) and read the answers in its deliveries. An operator whose
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
        + " is a private address ("
        + address.getHostAddress()
        + "): webhooks go to public addresses only unless the host is started with "
        + ALLOW_PRIVATE_ENV
        + "=true";
  }

  static boolean isPrivate(InetAddress address) {
    byte[] bytes = address.getAddress();
    return address.isLoopbackAddress()
        || address.isSiteLocalAddress() // 10/8, 172.16/12, 192.168/16, fec0::/10
        || address.isLinkLocalAddress() // 169.254/16 (cloud metadata), fe80::/10
        || address.isAnyLocalAddress()
        || address.isMulticastAddress()
        || (bytes.length == 4 && bytes[0] == 0) // 0.0.0.0/8: "this network"
        || (address instanceof Inet6Address && (bytes[0] & 0xfe) == 0xfc) // fc00::/7
        || isPrivateIpv4InIpv6(address, bytes);
  }

  /** ::a.b.c.d (IPv4-compatible): Java maps ::ffff:a.b.c.d to IPv4 by itself. */
  private static boolean isPrivateIpv4InIpv6(InetAddress address, byte[] bytes) {
    if (!(address instanceof Inet6Address six) || !six.isIPv4CompatibleAddress()) {
      return false;
    }
    try {
      byte[] four = {bytes[12], bytes[13], bytes[14], bytes[15]};
      return isPrivate(InetAddress.getByAddress(four));
    } catch (UnknownHostException e) {
      return false; // four bytes are always an address
    }
  }
}
