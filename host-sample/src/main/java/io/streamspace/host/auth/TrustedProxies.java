package io.streamspace.host.auth;

import io.javalin.http.Context;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which client a request comes from, for the failed-authentication throttle. Without trusted
 * proxies (the default) it is the socket's address and {@code X-Forwarded-For} is ignored: anyone
 * can write that header. With {@value #ENV} naming the reverse proxies (addresses or CIDR ranges,
 * comma-separated), a request whose socket address is one of them is from the right-most address
 * of {@code X-Forwarded-For} that is not a trusted proxy: each proxy appends the address it was
 * called from, so the hops right of that one were written by trusted proxies and the ones left of
 * it by the client, who may have made them up.
 */
public final class TrustedProxies {

  public static final String ENV = "STREAMSPACE_TRUSTED_PROXIES";

  /** None: every client is its socket's address. */
  public static final TrustedProxies NONE = new TrustedProxies(List.of());

  /** An address range: the first {@code bits} of {@code network}. */
  private record Range(byte[] network, int bits) {
    boolean contains(InetAddress address) {
      byte[] bytes = address.getAddress();
      if (bytes.length != network.length) {
        return false;
      }
      int width = bytes.length * 8;
      BigInteger mask =
          BigInteger.ONE.shiftLeft(width).subtract(BigInteger.ONE).shiftRight(bits).not();
      return new BigInteger(1, bytes).and(mask).equals(new BigInteger(1, network).and(mask));
    }
  }

  private final List<Range> ranges;

  private TrustedProxies(List<Range> ranges) {
    this.ranges = List.copyOf(ranges);
  }

  /**
   * The proxies {@value #ENV} names; {@link #NONE} when it is unset or blank.
   *
   * @throws IllegalArgumentException one line naming the variable and the entry that is no
   *     address or range
   */
  public static TrustedProxies from(Map<String, String> environment) {
    String value = environment.getOrDefault(ENV, "");
    if (value.isBlank()) {
      return NONE;
    }
    List<Range> ranges = new ArrayList<>();
    for (String entry : value.split(",")) {
      String trimmed = entry.strip();
      if (!trimmed.isEmpty()) {
        ranges.add(
            range(trimmed)
                .orElseThrow(
                    () ->
                        new IllegalArgumentException(
                            ENV
                                + " must list IP addresses or CIDR ranges, comma-separated; "
                                + trimmed.replaceAll("\\p{Cntrl}", "?")
                                + " is neither")));
      }
    }
    return new TrustedProxies(ranges);
  }

  private static Optional<Range> range(String text) {
    int slash = text.indexOf('/');
    Optional<InetAddress> address = literal(slash < 0 ? text : text.substring(0, slash));
    if (address.isEmpty()) {
      return Optional.empty();
    }
    byte[] bytes = address.get().getAddress();
    int bits = bytes.length * 8;
    if (slash >= 0) {
      try {
        bits = Integer.parseInt(text.substring(slash + 1));
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
      if (bits < 0 || bits > bytes.length * 8) {
        return Optional.empty();
      }
    }
    return Optional.of(new Range(bytes, bits));
  }

  /** An IP literal, never a name: a name would be looked up in DNS. */
  static Optional<InetAddress> literal(String text) {
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

  boolean trusts(InetAddress address) {
    return ranges.stream().anyMatch(range -> range.contains(address));
  }

  /** The address the request's client is counted under. */
  public String clientOf(Context ctx) {
    if (ranges.isEmpty()) {
      return ctx.req().getRemoteAddr(); // the default: X-Forwarded-For is not read at all
    }
    List<String> forwarded = new ArrayList<>();
    for (String header : Collections.list(ctx.req().getHeaders("X-Forwarded-For"))) {
      for (String hop : header.split(",")) {
        forwarded.add(hop.strip());
      }
    }
    return clientOf(ctx.req().getRemoteAddr(), forwarded);
  }

  /**
   * The right-most hop that is not a trusted proxy, walking from the socket's address leftwards
   * through {@code forwarded} (left to right as the header lists them); when a hop is no address
   * (made up), the trusted proxy that reported it.
   */
  String clientOf(String socketAddress, List<String> forwarded) {
    String client = socketAddress;
    Optional<InetAddress> current = literal(socketAddress);
    for (int i = forwarded.size() - 1; i >= 0; i--) {
      if (current.isEmpty() || !trusts(current.get())) {
        return client;
      }
      Optional<InetAddress> hop = literal(forwarded.get(i));
      if (hop.isEmpty()) {
        return client;
      }
      client = hop.get().getHostAddress();
      current = hop;
    }
    return client;
  }
}
