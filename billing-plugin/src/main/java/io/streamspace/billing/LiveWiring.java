package io.streamspace.billing;

import io.streamspace.billing.http.EventStreams;
import io.streamspace.billing.http.LiveRoutes;
import io.streamspace.billing.live.BalanceSource;
import io.streamspace.billing.live.LiveCosts;
import io.streamspace.billing.live.MemberBudgets;

/**
 * Live cost: the period's cost so far, fresh within a second, at {@code GET /live} as JSON or as
 * server-sent events. The prepaid balance and the members' budgets it runs toward are hooks
 * ({@link BalanceSource}, {@link MemberBudgets}), not read yet: the features that keep them pass
 * theirs here.
 */
final class LiveWiring {

  private LiveWiring() {}

  /** Serves {@code /live}; answers the streams, which the plugin closes when it stops. */
  static EventStreams wire(Wiring wiring, UsageWiring usage) {
    LiveCosts live =
        new LiveCosts(
            wiring.dataSource(),
            usage.calculator(),
            usage.spendingLimits(),
            BalanceSource.NONE,
            MemberBudgets.NONE,
            wiring.config(),
            wiring.clock());
    EventStreams streams = new EventStreams();
    new LiveRoutes(wiring.orgAccess(), live, streams).register(wiring.routes());
    return streams;
  }
}
