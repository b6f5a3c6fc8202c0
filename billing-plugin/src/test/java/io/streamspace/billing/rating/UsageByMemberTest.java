package io.streamspace.billing.rating;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.billing.money.UsageUnit;
import io.streamspace.billing.rating.UsageByMember.MemberCost;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A team's usage split by member, with figures worked out by hand. */
class UsageByMemberTest {

  private static final Currency USD = Currency.getInstance("USD");
  private static final Instant MARCH = Instant.parse("2026-03-01T00:00:00Z");
  private static final Instant APRIL = Instant.parse("2026-04-01T00:00:00Z");

  /** {@code unitSeconds} of {@code unit} at {@code price}, the member's (null: the organization's). */
  private static MemberSum used(String member, UsageUnit unit, long unitSeconds, String price) {
    BigDecimal seconds = BigDecimal.valueOf(unitSeconds);
    BigDecimal unitPrice = new BigDecimal(price);
    return new MemberSum(
        member, new UsageSum(unit, unitPrice, seconds, seconds.multiply(unitPrice)));
  }

  /** The members' costs as {@code user=amount}, then {@code organization=amount}. */
  private static List<String> shown(UsageByMember byMember) {
    List<String> shown = new ArrayList<>();
    for (MemberCost member : byMember.members()) {
      shown.add(member.userId() + "=" + member.totalCost().toPlainString());
    }
    shown.add("organization=" + byMember.organizationCost().toPlainString());
    return shown;
  }

  @Test
  void eachLineIsSplitAmongItsMembersAndTheirCostsAddUpToTheStatementTotal() {
    // cpu at 0.05: u1 1,000 core-seconds (50 / 3600 = 0.01388…), u2 2,000 (100 / 3600 =
    // 0.02777…); the line is round(150 / 3600 = 0.041666…) = 0.04: floors 0.01 + 0.02 leave a
    // cent for the larger remainder, u2's (100 − 72 = 28 against 50 − 36 = 14): 0.01 and 0.03.
    // memory at 0.01: u1 4,000 GB-seconds (0.01111…), u2 8,000 (0.02222…); the line is
    // round(120 / 3600 = 0.0333…) = 0.03 = the floors 0.01 + 0.02.
    // storage at 0.10: the organization's 360,000 GB-seconds, 36,000 / 2,628,000 = 0.013698…,
    // the line 0.01, all the organization's.
    UsageByMember byMember =
        UsageByMember.of(
            List.of(
                used("u1", UsageUnit.CPU, 1_000, "0.05"),
                used("u2", UsageUnit.CPU, 2_000, "0.05"),
                used("u1", UsageUnit.MEMORY, 4_000, "0.01"),
                used("u2", UsageUnit.MEMORY, 8_000, "0.01"),
                used(null, UsageUnit.STORAGE, 360_000, "0.10")),
            USD);

    assertEquals(List.of("u1=0.02", "u2=0.05", "organization=0.01"), shown(byMember));
    // the statement of the same lines: 0.04 + 0.03 + 0.01
    UsageStatement statement = UsageStatement.of("acme", MARCH, APRIL, USD, byMember.sums());
    assertEquals(new BigDecimal("0.08"), statement.totalCost());
  }

  @Test
  void theLinesOfTheStatementSumEveryMembersRecordsOnce() {
    UsageByMember byMember =
        UsageByMember.of(
            List.of(
                used("u1", UsageUnit.CPU, 1_000, "0.05"),
                used("u2", UsageUnit.CPU, 2_000, "0.050"), // the same price, written otherwise
                used("u2", UsageUnit.CPU, 500, "0.06")),
            USD);

    assertEquals(2, byMember.sums().size());
    UsageSum atFiveCents = byMember.sums().get(0);
    assertEquals(new BigDecimal("3000"), atFiveCents.unitSeconds());
    assertEquals(0, new BigDecimal("150").compareTo(atFiveCents.pricedUnitSeconds()));
    // 0.04 as above; u2's 500 core-seconds at 0.06: round(30 / 3600 = 0.00833…) = 0.01, theirs
    assertEquals(List.of("u1=0.01", "u2=0.04", "organization=0.00"), shown(byMember));
  }

  @Test
  void membersRoundedEachOnTheirOwnWouldNotAddUpButTheirPartsDo() {
    // three members at 1,200 core-seconds × 0.05 = 60 / 3600 = 0.01666…: alone each would round
    // to 0.02, 0.06 together, but the line is round(180 / 3600) = 0.05; the two cents left over
    // the floors go to the equal remainders in user order
    UsageByMember byMember =
        UsageByMember.of(
            List.of(
                used("u1", UsageUnit.CPU, 1_200, "0.05"),
                used("u2", UsageUnit.CPU, 1_200, "0.05"),
                used("u3", UsageUnit.CPU, 1_200, "0.05")),
            USD);

    assertEquals(List.of("u1=0.02", "u2=0.02", "u3=0.01", "organization=0.00"), shown(byMember));
  }

  @Test
  void aMembersOwnLinesAreTheirPartsOfTheLinesAddingUpToTheirCost() {
    // the lines of the first test: u2's cpu part 0.03 (the cent of the larger remainder) of
    // 2,000 core-seconds = 0.555556 core-hours, memory 0.02 of 8,000 GB-seconds = 2.222222
    // GB-hours, no storage line (the organization's); 0.05 in all, u2's by_member cost
    List<MemberSum> sums =
        List.of(
            used("u1", UsageUnit.CPU, 1_000, "0.05"),
            used("u2", UsageUnit.CPU, 2_000, "0.05"),
            used("u1", UsageUnit.MEMORY, 4_000, "0.01"),
            used("u2", UsageUnit.MEMORY, 8_000, "0.01"),
            used(null, UsageUnit.STORAGE, 360_000, "0.10"));

    List<String> lines =
        UsageByMember.memberLines(sums, USD, "u2").stream()
            .map(
                l ->
                    l.resourceType()
                        + " "
                        + l.quantity().toPlainString()
                        + " "
                        + l.unit()
                        + " "
                        + l.totalCost().toPlainString())
            .toList();

    assertEquals(List.of("cpu 0.555556 core-hours 0.03", "memory 2.222222 gb-hours 0.02"), lines);
    assertEquals(List.of(), UsageByMember.memberLines(sums, USD, "u3"), "ran nothing");
  }

  @Test
  void noUsageHasNoMembersAndNothingForTheOrganization() {
    UsageByMember byMember = UsageByMember.of(List.of(), USD);

    assertEquals(List.of("organization=0.00"), shown(byMember));
    assertEquals(List.of(), byMember.sums());
  }
}
