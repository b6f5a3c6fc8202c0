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

  // Unit by unit, as String#compareTo: a batch sorts its keys on the metering writer's hot path,
  // where a code point at a time (codePointAt, charCount) took half the writer's CPU. UTF-16
  // units are in code point order but where a surrogate meets U+E000 to U+FFFF; only there, at
  // the first difference, both units are moved to where their code points sort.
  private static int compare(String a, String b) {
    int common = Math.min(a.length(), b.length());
    for (int i = 0; i < common; i++) {
      char x = a.charAt(i);
      char y = b.charAt(i);
      if (x != y) {
        return x >= Character.MIN_SURROGATE && y >= Character.MIN_SURROGATE
            ? inCodePointOrder(x) - inCodePointOrder(y)
            : x - y;
      }
    }
    // the shorter, a prefix of the other, first
    return a.length() - b.length();
  }

  /**
   * A unit from U+D800 on, placed so that the surrogates (of characters beyond U+FFFF) sort after
   * U+E000 to U+FFFF: the surrogates up by 0x2000, the others down by 0x800.
   */
  private static int inCodePointOrder(char unit) {
    return unit <= Character.MAX_SURROGATE ? unit + 0x2000 : unit - 0x800;
  }
}
