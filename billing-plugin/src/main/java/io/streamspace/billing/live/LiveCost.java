package io.streamspace.billing.live;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Comparator;
import java.util.Currency;
import java.util.List;

/**
 * An organization's cost of its current billing period at an instant, as {@link LiveCostModel}
 * works it out: in the organization's currency, amounts at its minor unit.
 *
 * @param at the instant it is of
 * @param total what the period's invoice would charge if the usage up to {@code at} were rated
 *     and the invoice finalized then, before credits
 * @param ratePerHour what the total grows by in an hour at what is held now (its running
 *     sessions and its storage), as the invoice would charge it
 * @param balance the prepaid balance left once {@code total} is paid (what the ledger holds,
 *     less what the organization's usable credits leave of {@code total} and, while the period
 *     before is not invoiced, of its cost, that burns have not taken yet; below zero when that
 *     exceeds it); null when the organization keeps none ({@link BalanceSource})
 * @param runways when each limit on the spending is reached at the rates now, the earliest
 *     first; a limit the spending never reaches at them is left out
 * @param sessions its running sessions, by id
 */
public record LiveCost(
    String orgId,
    Currency currency,
    Instant at,
    Instant periodStart,
    Instant periodEnd,
    BigDecimal total,
    BigDecimal ratePerHour,
    BigDecimal balance,
    List<Runway> runways,
    List<SessionCost> sessions) {

  /** What the runway is to: a balance spent, a limit or a member's budget reached. */
  public static final String BALANCE = "balance";

  public static final String SPENDING_LIMIT = "spending_limit";
  public static final String MEMBER_BUDGET = "member_budget";

  public LiveCost {
    runways = runways.stream().sorted(Comparator.comparingLong(Runway::seconds)).toList();
    sessions = List.copyOf(sessions);
  }

  /**
   * A running session's cost in the period so far.
   *
   * @param userId the member who runs it
   * @param costSoFar its usage since {@code since} at the unit prices it is (or will be) rated
   *     at, one rounding per resource and price as a usage line has
   * @param ratePerHour what an hour at what it holds now costs at those prices
   * @param since when its cost starts counting: its start, or the period's if later
   */
  public record SessionCost(
      String sessionId,
      String userId,
      BigDecimal costSoFar,
      BigDecimal ratePerHour,
      Instant since) {}

  /**
   * When a limit is reached at the rates now.
   *
   * @param what {@link #BALANCE}, {@link #SPENDING_LIMIT} or {@link #MEMBER_BUDGET}
   * @param seconds how long from {@code at} (0: reached already)
   * @param at when
   * @param action what the spending limit does then ({@code warn}, {@code block}); null for the
   *     others
   * @param memberId the member whose budget it is; null for the others
   */
  public record Runway(String what, long seconds, Instant at, String action, String memberId) {}

  /** The earliest limit reached; null when none is. */
  public Runway runway() {
    return runways.isEmpty() ? null : runways.get(0);
  }

  /** The earliest limit of that member's own reached (their budget); null when none is. */
  public Runway runwayOf(String memberId) {
    return runways.stream().filter(r -> memberId.equals(r.memberId())).findFirst().orElse(null);
  }
}
