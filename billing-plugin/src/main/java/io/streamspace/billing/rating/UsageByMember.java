package io.streamspace.billing.rating;

import io.streamspace.billing.money.LargestRemainder;
import io.streamspace.billing.money.Money;
import io.streamspace.billing.money.UsageUnit;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
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

  /** A line's resource, unit price and activity; prices compare by value (0.050 is 0.05). */
  private record LineKey(UsageUnit unit, BigDecimal unitPrice, String activity) {
    static LineKey of(UsageSum sum) {
      return new LineKey(sum.unit(), sum.unitPrice().stripTrailingZeros(), sum.activity());
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
    List<UsageSum> sums = new ArrayList<>();
    Map<String, BigDecimal> costs = new TreeMap<>();
    for (List<MemberSum> line : lines(memberSums)) {
      sums.add(merged(line));
      split(line, currency).forEach((key, amount) -> costs.merge(key, amount, BigDecimal::add));
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

  /**
   * One member's own usage: for each line that holds sessions they ran, their quantity and their
   * part of its cost, the part {@link #of} adds into their {@code by_member} cost (so the
   * member's lines add up to it), lines in the statement's order.
   *
   * @param memberSums as {@link #of} takes them
   */
  public static List<UsageLine> memberLines(
      List<MemberSum> memberSums, Currency currency, String memberId) {
    List<UsageLine> own = new ArrayList<>();
    for (List<MemberSum> line : lines(memberSums)) {
      List<MemberSum> mine =
          line.stream().filter(part -> memberId.equals(part.memberId())).toList();
      if (mine.isEmpty()) {
        continue;
      }
      own.add(merged(mine).line(currency).costing(split(line, currency).get(memberId)));
    }
    return own;
  }

  /**
   * A member's part of one line (or the organization's, {@code memberId} null).
   *
   * @param sum  the part's records, summed exactly
   * @param cost its share of the line's total ({@link #lineParts})
   */
  public record LinePart(String memberId, UsageSum sum, BigDecimal cost) {}

  /**
   * One line's parts: its total, rounded once, split among them by {@link LargestRemainder}
   * (class comment), so that their costs add up to it.
   *
   * @param line the line's records summed per member (null: the organization's), all of one
   *     resource and unit price, each member once
   * @return a part per element of {@code line}, in its order
   */
  public static List<LinePart> lineParts(List<MemberSum> line, Currency currency) {
    Map<String, BigDecimal> costs = split(line, currency);
    return line.stream()
        .map(part -> new LinePart(part.memberId(), part.sum(), costs.get(keyOf(part))))
        .toList();
  }

  /** The parts grouped by line (resource and unit price), in their order. */
  private static Collection<List<MemberSum>> lines(List<MemberSum> memberSums) {
    Map<LineKey, List<MemberSum>> lines = new LinkedHashMap<>();
    for (MemberSum memberSum : memberSums) {
      lines.computeIfAbsent(LineKey.of(memberSum.sum()), k -> new ArrayList<>()).add(memberSum);
    }
    return lines.values();
  }

  /** The line's total split among its parts, by key (the organization's under ""). */
  private static Map<String, BigDecimal> split(List<MemberSum> line, Currency currency) {
    UsageSum sum = merged(line);
    Map<String, BigDecimal> numerators = new TreeMap<>();
    for (MemberSum part : line) {
      numerators.merge(keyOf(part), part.sum().pricedUnitSeconds(), BigDecimal::add);
    }
    BigDecimal perUnit = sum.unit().unitSecondsPerUnit();
    return LargestRemainder.split(
        Money.lineTotal(sum.pricedUnitSeconds(), perUnit, currency), numerators, perUnit, currency);
  }

  private static String keyOf(MemberSum part) {
    return part.memberId() == null ? ORGANIZATION : part.memberId();
  }

  /** The line over all its members: sums of exact sums, still exact. */
  private static UsageSum merged(List<MemberSum> line) {
    UsageSum first = line.get(0).sum();
    BigDecimal unitSeconds = BigDecimal.ZERO;
    BigDecimal priced = BigDecimal.ZERO;
    BigDecimal saved = BigDecimal.ZERO;
    for (MemberSum part : line) {
      unitSeconds = unitSeconds.add(part.sum().unitSeconds());
      priced = priced.add(part.sum().pricedUnitSeconds());
      saved = saved.add(part.sum().savedUnitSeconds());
    }
    return new UsageSum(
        first.unit(), first.unitPrice(), unitSeconds, priced, first.activity(), saved);
  }
}
