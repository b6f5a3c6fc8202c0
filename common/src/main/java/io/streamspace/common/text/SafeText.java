package io.streamspace.common.text;

/**
 * Characters an identifier may not hold and a log line must not carry as they are: control
 * characters (C0, DEL and C1: U+0000 to U+001F, U+007F to U+009F), the bidirectional embeddings
 * and overrides (U+202A to U+202E) and isolates (U+2066 to U+2069), which make an id read
 * backwards on screen ({@code "abc\u202Egpj.exe"}), and the line and paragraph separators
 * (U+2028, U+2029), which some viewers break a line on. The host refuses them in every id it
 * takes (events, tokens); what comes from elsewhere and is logged (a signed Stripe event) is
 * escaped with {@link #forLog}.
 */
public final class SafeText {

  private SafeText() {}

  /** Whether {@code c} is one of the characters described above. */
  public static boolean isUnsafe(char c) {
    return Character.isISOControl(c)
        || (c >= '\u202A' && c <= '\u202E')
        || (c >= '\u2066' && c <= '\u2069')
        || c == '\u2028'
        || c == '\u2029';
  }

  /** Whether {@code text} holds a character {@link #isUnsafe}; false for null. */
  public static boolean hasUnsafeCharacter(String text) {
    if (text == null) {
      return false;
    }
    // a loop, not text.chars(): a stream per field was 3 % of intake's CPU (JFR)
    for (int i = 0; i < text.length(); i++) {
      if (isUnsafe(text.charAt(i))) {
        return true;
      }
    }
    return false;
  }

  /**
   * {@code value}'s text for a log line: every {@link #isUnsafe} character written as its Java
   * escape ({@code \n} as {@code \u000a}, U+202E as {@code \u202e}), and a backslash doubled so
   * that an escape cannot be forged; {@code "null"} for null. A line with it stays one line and
   * reads in its order.
   */
  public static String forLog(Object value) {
    String text = String.valueOf(value);
    StringBuilder out = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean escape = isUnsafe(c) || c == '\\';
      if (escape && out == null) {
        out = new StringBuilder(text.length() + 16).append(text, 0, i);
      }
      if (out != null) {
        if (c == '\\') {
          out.append("\\\\");
        } else if (escape) {
          out.append(String.format("\\u%04x", (int) c));
        } else {
          out.append(c);
        }
      }
    }
    return out == null ? text : out.toString();
  }
}
