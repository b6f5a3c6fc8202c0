package io.streamspace.billing.rating;

import java.util.ArrayList;
import java.util.List;

/**
 * A chunk of a calculate-usage run: the accounts whose id is in [{@code lo}, {@code hi}), with
 * their sessions (by organization) and storage. Ids compare as the key columns do (collation
 * "C", byte order), where '' is the least. Pure.
 *
 * @param lo the least id in the chunk; '' for the first
 * @param hi the least id past it; null for the last
 */
record KeyRange(String lo, String hi) {

  /** Every account. */
  static final KeyRange ALL = new KeyRange("", null);

  /** The ranges {@code firsts} cut: sorted, distinct, each chunk's first id but the first's. */
  static List<KeyRange> between(List<String> firsts) {
    List<KeyRange> ranges = new ArrayList<>(firsts.size() + 1);
    String lo = "";
    for (String first : firsts) {
      ranges.add(new KeyRange(lo, first));
      lo = first;
    }
    ranges.add(new KeyRange(lo, null));
    return ranges;
  }
}
