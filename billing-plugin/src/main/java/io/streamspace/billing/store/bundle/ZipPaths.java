package io.streamspace.billing.store.bundle;

import java.text.Normalizer;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The names of a bundle's entries, judged before anything is read from them. A name is accepted
 * only as a relative path of plain segments ({@code A-Z a-z 0-9 . _ -}, not starting with a dot):
 * so no {@code ..}, no absolute path, no backslash, no drive letter, no control character and no
 * hidden file can pass, whatever the extracting tool makes of them.
 */
final class ZipPaths {

  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]*");
  private static final Pattern DRIVE = Pattern.compile("^[A-Za-z]:.*");

  private ZipPaths() {}

  /** Why the entry name is refused, or null if it is accepted (a folder's name ends in /). */
  static String problem(String name, BundleLimits limits) {
    if (name.isEmpty()) {
      return "an entry has an empty name";
    }
    if (name.indexOf('\\') >= 0) {
      return "a backslash in the path (a Windows separator)";
    }
    if (name.startsWith("/")) {
      return "an absolute path";
    }
    if (DRIVE.matcher(name).matches()) {
      return "a drive letter in the path";
    }
    if (name.length() > limits.maxPathLength()) {
      return "a path longer than " + limits.maxPathLength() + " characters";
    }
    String path = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
    String[] segments = path.split("/", -1);
    for (String segment : segments) {
      if (segment.equals("..")) {
        return "a parent segment (..) in the path";
      }
    }
    if (segments.length > limits.maxPathDepth()) {
      return "a path deeper than " + limits.maxPathDepth() + " levels";
    }
    for (String segment : segments) {
      if (!SEGMENT.matcher(segment).matches()) {
        return "a path segment other than letters, digits, '.', '_' and '-' (not starting with"
            + " '.'): '"
            + printable(segment)
            + "'";
      }
    }
    return null;
  }

  /**
   * The key two entries collide on: the path in Unicode NFC and lower case, since case-insensitive
   * file systems (Windows, macOS) extract {@code Theme.css} and {@code theme.css} to one file.
   */
  static String collisionKey(String path) {
    return Normalizer.normalize(path, Normalizer.Form.NFC).toLowerCase(Locale.ROOT);
  }

  /** The file name's extension in lower case, without the dot; empty if none. */
  static String extension(String path) {
    int slash = path.lastIndexOf('/');
    int dot = path.lastIndexOf('.');
    return dot > slash ? path.substring(dot + 1).toLowerCase(Locale.ROOT) : "";
  }

  /** The folder of a path, with its trailing slash; empty at the root. */
  static String folder(String path) {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? "" : path.substring(0, slash + 1);
  }

  /**
   * {@code reference} resolved against {@code folder} ({@code fonts/../img/a.png}), or null if it
   * climbs above the bundle's root or has an empty segment. Query and fragment are dropped.
   */
  static String resolve(String folder, String reference) {
    String path = reference;
    int cut = indexOfAny(path, "?#");
    if (cut >= 0) {
      path = path.substring(0, cut);
    }
    java.util.ArrayDeque<String> stack = new java.util.ArrayDeque<>();
    for (String segment : (folder + path).split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".")) {
        continue;
      }
      if (segment.equals("..")) {
        if (stack.isEmpty()) {
          return null;
        }
        stack.removeLast();
      } else {
        stack.addLast(segment);
      }
    }
    return stack.isEmpty() ? null : String.join("/", stack);
  }

  /** The text with control characters shown as {@code ?} and cut to 40 characters. */
  static String printable(String text) {
    StringBuilder out = new StringBuilder();
    text.codePoints()
        .limit(40)
        .forEach(c -> out.appendCodePoint(Character.isISOControl(c) ? '?' : c));
    return out.toString();
  }

  private static int indexOfAny(String text, String chars) {
    for (int i = 0; i < text.length(); i++) {
      if (chars.indexOf(text.charAt(i)) >= 0) {
        return i;
      }
    }
    return -1;
  }
}
