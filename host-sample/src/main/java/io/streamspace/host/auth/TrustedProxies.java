package io.streamspace.host.auth;

import io.javalin.http.Context;
import io.streamspace.host.net.AddressBlock;
import java.net.InetAddress;
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

  private final List<AddressBlock> ranges;

  private TrustedProxies(List<AddressBlock> ranges) {
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
    List<AddressBlock> ranges = new ArrayList<>();
    for (String entry : value.split(",")) {
      String trimmed = entry.strip();
      if (!trimmed.isEmpty()) {
        ranges.add(
            AddressBlock.parse(trimmed)
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

  boolean trusts(InetAddress address) {
    return ranges.stream().anyMatch(block -> block.contains(address));
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
    Optional<InetAddress> current = AddressBlock.literal(socketAddress);
    for (int i = forwarded.size() - 1; i >= 0; i--) {
      if (current.isEmpty() || !trusts(current.get())) {
        return client;
      }
      Optional<InetAddress> hop = AddressBlock.literal(forwarded.get(i));
      if (hop.isEmpty()) {
        return client;
      }
      client = hop.get().getHostAddress();
      current = hop;
    }
    return client;
  }
}
