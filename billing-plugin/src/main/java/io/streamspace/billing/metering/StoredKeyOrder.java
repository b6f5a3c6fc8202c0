package io.streamspace.billing.metering;

import java.util.Comparator;

/**
 * The order PostgreSQL sorts the billing tables' ids in: they are {@code text COLLATE "C"},
 * compared by their UTF-8 bytes, which is the order of their code points. {@link
 * String#compareTo} compares UTF-16 units instead, which puts a character beyond U+FFFF (a
 * surrogate pair, from U+D800) before one of U+E000 to U+FFFF. A batch whose rows are locked in
 * this order locks them in the order calculate-usage's {@code ORDER BY session_id} does, so the
 * two never wait for each other in a cycle.
 */
final class StoredKeyOrder {

  /** By code point, as {@code COLLATE "C"} sorts UTF-8 text. */
  static final Comparator<String> BY_CODE_POINT = StoredKeyOrder::compare;

  private StoredKeyOrder() {}

  private static int compare(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int x = a.codePointAt(i);
      int y = b.codePointAt(j);
      if (x != y) {
        return Integer.compare(x, y);
      }
      i += Character.charCount(x);
      j += Character.charCount(y);
    }
    // the shorter, a prefix of the other, first
    return Integer.compare(a.length() - i, b.length() - j);
  }
}
