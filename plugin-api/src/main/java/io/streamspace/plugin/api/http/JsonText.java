package io.streamspace.plugin.api.http;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Iterator;
import java.util.Map;

/**
 * The little JSON the contract writes itself, for {@link HttpError}: the API has no JSON library
 * (a plugin's would not be the host's). Strings are escaped as RFC 8259 requires (quotes,
 * backslashes, control characters) and as Jackson does by default; other characters, non-ASCII
 * too, are written as they are and sent as UTF-8.
 */
final class JsonText {

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private JsonText() {}

  /** The value as JSON text. */
  static String of(Object value) {
    StringBuilder json = new StringBuilder();
    write(json, value);
    return json.toString();
  }

  static byte[] utf8(String json) {
    return json.getBytes(StandardCharsets.UTF_8);
  }

  private static void write(StringBuilder json, Object value) {
    if (value == null) {
      json.append("null");
    } else if (value instanceof String text) {
      string(json, text);
    } else if (value instanceof Boolean) {
      json.append(value);
    } else if (value instanceof BigDecimal decimal) {
      json.append(decimal.toPlainString());
    } else if (value instanceof Number number) {
      number(json, number);
    } else if (value instanceof Map<?, ?> map) {
      object(json, map);
    } else if (value instanceof Collection<?> values) {
      array(json, values);
    } else {
      throw new IllegalArgumentException("not a JSON value: " + value.getClass().getName());
    }
  }

  private static void number(StringBuilder json, Number number) {
    if ((number instanceof Double || number instanceof Float)
        && !Double.isFinite(number.doubleValue())) {
      throw new IllegalArgumentException("JSON has no " + number);
    }
    json.append(number);
  }

  private static void object(StringBuilder json, Map<?, ?> members) {
    json.append('{');
    for (Iterator<? extends Map.Entry<?, ?>> it = members.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<?, ?> member = it.next();
      if (!(member.getKey() instanceof String name)) {
        throw new IllegalArgumentException("a JSON member name is a string: " + member.getKey());
      }
      string(json, name);
      json.append(':');
      write(json, member.getValue());
      json.append(it.hasNext() ? "," : "");
    }
    json.append('}');
  }

  private static void array(StringBuilder json, Collection<?> values) {
    json.append('[');
    for (Iterator<?> it = values.iterator(); it.hasNext(); ) {
      write(json, it.next());
      json.append(it.hasNext() ? "," : "");
    }
    json.append(']');
  }

  private static void string(StringBuilder json, String text) {
    json.append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> json.append("\\\"");
        case '\\' -> json.append("\\\\");
        case '\b' -> json.append("\\b");
        case '\f' -> json.append("\\f");
        case '\n' -> json.append("\\n");
        case '\r' -> json.append("\\r");
        case '\t' -> json.append("\\t");
        default -> {
          if (c < 0x20) {
            json.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xf]);
          } else {
            json.append(c);
          }
        }
      }
    }
    json.append('"');
  }
}
