package io.streamspace.billing.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code embedOrigins} key: the origins of the platform pages allowed to frame the billing
 * widget. Each is read as exactly one origin, {@code scheme://host[:port]}, which goes into the
 * widget's Content-Security-Policy ({@code frame-ancestors}) as it is: so no value may widen that
 * policy (no wildcard) or write beyond its own source (no space, quote, semicolon or path).
 */
final class EmbedOrigins {

  static final int MAX = 20;

  /** An origin, lower-cased: a DNS name or IPv4 address (CSP names no IPv6 one), a port. */
  private static final Pattern ORIGIN =
      Pattern.compile("(https?)://([a-z0-9-]+(?:\\.[a-z0-9-]+)*)(?::([0-9]{1,5}))?");

  /** The hosts a plain-http origin may name: this machine, as for the JWKS URL. */
  private static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1");

  private static final String EXAMPLE = "for example https://platform.example.com";

  static final ValueType<List<String>> TYPE =
      ValueType.list(
          "up to " + MAX + " distinct origins, each scheme://host[:port]",
          MAX,
          EmbedOrigins::origin,
          ArrayNode::add);

  private EmbedOrigins() {}

  /** The origin {@code value} names, lower-cased; null once {@code at} was told why not. */
  private static String origin(JsonNode value, List<String> before, Reading.At at) {
    if (!value.isTextual()) {
      return at.refuse("must be a string: an origin, " + EXAMPLE, null);
    }
    String text = value.textValue().toLowerCase(Locale.ROOT);
    if (text.contains("*")) {
      return at.refuse("must name one origin: a wildcard (*) is not allowed", null);
    }
    Matcher origin = ORIGIN.matcher(text);
    if (!origin.matches()) {
      return at.refuse(
          "must be an origin, scheme://host[:port], without a path, query or fragment, " + EXAMPLE,
          null);
    }
    if (origin.group(1).equals("http") && !LOOPBACK.contains(origin.group(2))) {
      return at.refuse("must use https (http only to localhost or 127.0.0.1)", null);
    }
    String port = origin.group(3);
    if (port != null && (Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535)) {
      return at.refuse("must have a port from 1 to 65535", null);
    }
    return before.contains(text) ? at.refuse("is listed twice", null) : text;
  }
}
