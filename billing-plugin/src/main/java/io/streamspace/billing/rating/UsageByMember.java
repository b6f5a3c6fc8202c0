package io.streamspace.billing.rating;

import io.streamspace.billing.money.LargestRemainder;
import io.streamspace.billing.money.Money;
import io.streamspace.billing.money.UsageUnit;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A team account's usage split by member. Pure.
 *
 * <p>Each line (resource and unit price) is the account's, totalled and rounded once as {@link
 * UsageStatement} does; its total is then split among the members whose sessions it holds, and
 * the organization for what belongs to no member (storage), by {@link LargestRemainder} over
 * their exact shares. A member's cost is the sum of their parts of the lines, so the members'
 * costs and the organization's add up to the statement's total to the minor unit.
 *
 * @param sums             the account's lines, summed over its members (for the statement)
 * @param members          each member's cost, by user id
 * @param organizationCost what belongs to no member
 */
public record UsageByMember(
    List<UsageSum> sums, List<MemberCost> members, BigDecimal organizationCost) {

  /** One member's cost: their parts of the lines. */
  public record MemberCost(String userId, BigDecimal totalCost) {}

  /** The organization's key among the parts: before every user id, so first on ties. */
  private static final String ORGANIZATION = "";

  /** A line's resource and unit price; prices compare by value (0.050 is 0.05). */
  private record LineKey(UsageUnit unit, BigDecimal unitPrice) {
    static LineKey of(UsageSum sum) {
      return new LineKey(sum.unit(), sum.unitPrice().stripTrailingZeros());
    }
  }

  public UsageByMember {
    sums = List.copyOf(sums);
    members = List.copyOf(members);
  }

  /**
   * @param memberSums the account's records summed per line and member, lines in the order the
   *     statement shows them
   */
  public static UsageByMember of(List<MemberSum> memberSums, Currency currency) {
    Map<LineKey, List<MemberSum>> lines = new LinkedHashMap<>();
    for (MemberSum memberSum : memberSums) {
      lines.computeIfAbsent(LineKey.of(memberSum.sum()), k -> new ArrayList<>()).add(memberSum);
    }
    List<UsageSum> sums = new ArrayList<>();
    Map<String, BigDecimal> costs = new TreeMap<>();
    for (List<MemberSum> line : lines.values()) {
      UsageSum sum = merged(line);
      sums.add(sum);
      Map<String, BigDecimal> numerators = new TreeMap<>();
      for (MemberSum part : line) {
        numerators.merge(keyOf(part), part.sum().pricedUnitSeconds(), BigDecimal::add);
      }
      BigDecimal perUnit = sum.unit().unitSecondsPerUnit();
      LargestRemainder.split(
              Money.lineTotal(sum.pricedUnitSeconds(), perUnit, currency),
              numerators,
              perUnit,
              currency)
          .forEach((key, amount) -> costs.merge(key, amount, BigDecimal::add));
    }
    BigDecimal organizationCost = costs.getOrDefault(ORGANIZATION, Money.zero(currency));
    List<MemberCost> members = new ArrayList<>();
    costs.forEach(
        (key, cost) -> {
          if (!key.equals(ORGANIZATION)) {
            members.add(new MemberCost(key, cost));
          }
        });
    return new UsageByMember(sums, members, organizationCost);
  }

  private static String keyOf(MemberSum part) {
    return part.memberId() == null ? ORGANIZATION : part.memberId();
  }

  /** The line over all its members: sums of exact sums, still exact. */
  private static UsageSum merged(List<MemberSum> line) {
    UsageSum first = line.get(0).sum();
    BigDecimal unitSeconds = BigDecimal.ZERO;
    BigDecimal priced = BigDecimal.ZERO;
    for (MemberSum part : line) {
      unitSeconds = unitSeconds.add(part.sum().unitSeconds());
      priced = priced.add(part.sum().pricedUnitSeconds());
    }
    return new UsageSum(first.unit(), first.unitPrice(), unitSeconds, priced);
  }
}
