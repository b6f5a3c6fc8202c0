package io.streamspace.billing.live;

import io.streamspace.billing.invoicing.PeriodSoFar;
import io.streamspace.billing.invoicing.UsageBucket;
import io.streamspace.billing.money.UsageUnit;
import io.streamspace.billing.rating.HeldSteps;
import io.streamspace.billing.spend.SpendingLimit;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What an organization's live cost is worked out from at any instant after {@code readAt}
 * ({@link LiveCostModel}): what the database held at {@code readAt}, its rated part and its
 * unrated part read in one snapshot ({@link LiveBasisReads}), so that no instant of usage counts
 * in both or in neither.
 *
 * @param period the current billing period's invoice inputs, its rated usage among them
 * @param before the period before's, while its invoice is not finalized and the organization
 *     keeps a prepaid balance (what it did not burn of it still weighs on the balance); else null
 * @param credits what its credits usable at {@code readAt} have left, which its invoices use
 *     before the prepaid balance (zero when it keeps no balance: not read)
 * @param prices the unit prices the next rating run gives the organization's usage (empty when
 *     its currency has no rates: nothing of it is rated)
 * @param sessions its sessions not settled yet: their unrated time
 * @param storage its storage levels from {@code storageFrom} on
 * @param storageFrom where its storage's unrated time starts; null when it never had storage
 * @param ratedBySession each running session's rated usage in the period, per resource and
 *     unit price (a bucket's span is of no account here)
 * @param closedAt when the organization was closed; null while it is open
 * @param heartbeatTimeout after how long without a heartbeat rating closes a session
 * @param limit its spending limit; null when it has none
 * @param balance its prepaid balance in the ledger at {@code readAt} and what this period's
 *     burns not settled (and the period before's) took of it ({@link BalanceSource}); null when
 *     it has none
 * @param budgets its members' budgets
 */
record LiveBasis(
    String orgId,
    Instant readAt,
    PeriodSoFar period,
    PeriodSoFar before,
    BigDecimal credits,
    Map<UsageUnit, BigDecimal> prices,
    List<UnratedSession> sessions,
    HeldSteps storage,
    Instant storageFrom,
    Map<String, List<UsageBucket>> ratedBySession,
    Instant closedAt,
    Duration heartbeatTimeout,
    SpendingLimit limit,
    BalanceSource.Held balance,
    List<MemberBudgets.Left> budgets) {

  LiveBasis {
    prices = Map.copyOf(prices);
    sessions = List.copyOf(sessions);
    ratedBySession = Map.copyOf(ratedBySession);
    budgets = List.copyOf(budgets);
  }

  /** Whether live cost at {@code now} may be worked out from it: {@code now} is in its period. */
  boolean covers(Instant now) {
    return !now.isBefore(period.start()) && now.isBefore(period.end());
  }
}
