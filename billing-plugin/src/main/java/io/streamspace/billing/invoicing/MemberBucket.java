package io.streamspace.billing.invoicing;

import io.streamspace.billing.money.UsageUnit;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A member's part of a {@link UsageBucket}: the usage of the sessions they ran under the
 * organization in it, or the organization's own (storage, which no session of a member holds).
 *
 * @param memberId the user who ran the sessions; null for the organization's part
 */
record MemberBucket(String memberId, UsageBucket usage) {

  MemberBucket {
    Objects.requireNonNull(usage, "usage");
  }

  /**
   * A bucket's resource, span, unit price and activity; prices compare by value (0.050 is 0.05).
   */
  record Key(UsageUnit unit, Instant start, Instant end, BigDecimal unitPrice, String activity) {
    static Key of(UsageBucket bucket) {
      return new Key(
          bucket.unit(),
          bucket.start(),
          bucket.end(),
          bucket.unitPrice().stripTrailingZeros(),
          bucket.activity());
    }
  }

  /**
   * The account's buckets, each the sum of its members' parts (exact sums of exact sums), with
   * those parts; in the order the parts first come.
   */
  static Map<UsageBucket, List<MemberBucket>> byBucket(List<MemberBucket> parts) {
    Map<Key, List<MemberBucket>> grouped = new LinkedHashMap<>();
    for (MemberBucket part : parts) {
      grouped.computeIfAbsent(Key.of(part.usage()), k -> new ArrayList<>()).add(part);
    }
    Map<UsageBucket, List<MemberBucket>> buckets = new LinkedHashMap<>();
    grouped.forEach(
        (key, members) -> {
          UsageBucket first = members.get(0).usage();
          BigDecimal unitSeconds =
              members.stream()
                  .map(m -> m.usage().unitSeconds())
                  .reduce(BigDecimal.ZERO, BigDecimal::add);
          BigDecimal saved =
              members.stream()
                  .map(m -> m.usage().savedUnitSeconds())
                  .reduce(BigDecimal.ZERO, BigDecimal::add);
          buckets.put(
              new UsageBucket(
                  first.unit(),
                  first.start(),
                  first.end(),
                  unitSeconds,
                  first.unitPrice(),
                  first.activity(),
                  saved),
              members);
        });
    return buckets;
  }
}
