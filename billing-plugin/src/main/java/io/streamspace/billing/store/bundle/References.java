package io.streamspace.billing.store.bundle;

import java.io.ByteArrayOutputStream;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Judges a URL a stylesheet or an SVG names. Everything a theme shows must be a file of the
 * bundle, inspected and counted like the rest, so:
 *
 * <ul>
 *   <li>{@code javascript:} and {@code vbscript:} are scripts;
 *   <li>any other scheme ({@code http:}, {@code https:}, {@code data:}, {@code file:}, ...), a
 *       protocol-relative {@code //host} and an absolute path {@code /x} are external: <b>data:
 *       URLs are refused too</b>, even small images, since their bytes would escape the file-type,
 *       size and dimension checks;
 *   <li>{@code #id} (a reference to an element of the same document, e.g. an SVG filter) is
 *       accepted;
 *   <li>a relative path is accepted from a stylesheet when, percent-decoded and resolved against
 *       the stylesheet's folder, it names a file of the bundle without climbing above its root;
 *       from an SVG it is refused (an SVG may reference only its own elements).
 * </ul>
 *
 * Browsers drop tabs, newlines and leading spaces in URLs ({@code java&#9;script:}), so those are
 * removed before judging.
 */
final class References {

  private static final Pattern SCHEME = Pattern.compile("^[a-z][a-z0-9+.-]*:.*", Pattern.DOTALL);

  private References() {}

  /** Reports what is wrong with {@code url} named in {@code file}; nothing if it is accepted. */
  static void check(
      String url, String file, boolean fromSvg, Set<String> bundleFiles, Findings findings) {
    String clean = strip(url);
    String lower = clean.toLowerCase(Locale.ROOT);
    String shown = ZipPaths.printable(url);
    if (lower.startsWith("javascript:") || lower.startsWith("vbscript:")) {
      findings.add(Rules.SCRIPT, file, "a script URL: '" + shown + "'");
      return;
    }
    if (lower.startsWith("#") && lower.length() > 1) {
      return;
    }
    if (SCHEME.matcher(lower).matches() || lower.startsWith("/") || lower.startsWith("\\")) {
      findings.add(
          Rules.EXTERNAL_URL,
          file,
          "a URL outside the bundle: '"
              + shown
              + "' (every resource, data: included, must be a"
              + " file of the bundle)");
      return;
    }
    if (fromSvg) {
      findings.add(
          Rules.EXTERNAL_URL,
          file,
          "an SVG may reference only its own elements (#id), not '" + shown + "'");
      return;
    }
    String decoded = percentDecode(clean);
    String resolved = decoded == null ? null : ZipPaths.resolve(ZipPaths.folder(file), decoded);
    if (resolved == null) {
      findings.add(
          Rules.EXTERNAL_URL,
          file,
          "a URL that leaves the bundle or names no file: '" + shown + "'");
    } else if (!bundleFiles.contains(resolved)) {
      findings.add(Rules.STYLESHEET, file, "url '" + shown + "' names no file of the bundle");
    }
  }

  /** The URL without the characters browsers drop: C0 controls, spaces and DEL. */
  static String strip(String url) {
    StringBuilder out = new StringBuilder(url.length());
    url.codePoints().filter(c -> c > 0x20 && c != 0x7f).forEach(out::appendCodePoint);
    return out.toString();
  }

  /** {@code %2e%2e} as {@code ..}; null for a malformed or non-UTF-8 escape. */
  private static String percentDecode(String text) {
    if (text.indexOf('%') < 0) {
      return text;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '%') {
        if (i + 2 >= text.length()) {
          return null;
        }
        int high = Character.digit(text.charAt(i + 1), 16);
        int low = Character.digit(text.charAt(i + 2), 16);
        if (high < 0 || low < 0) {
          return null;
        }
        bytes.write(high * 16 + low);
        i += 2;
      } else {
        byte[] encoded = String.valueOf(c).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        bytes.write(encoded, 0, encoded.length);
      }
    }
    return FileTypes.decode(bytes.toByteArray());
  }
}
