package io.streamspace.billing.support;

import io.streamspace.billing.account.AccountRepository;
import io.streamspace.billing.admission.Admission;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.hold.AccountHolds;
import io.streamspace.billing.invoicing.InvoiceCalculator;
import io.streamspace.billing.live.BalanceSource;
import io.streamspace.billing.live.LiveCosts;
import io.streamspace.billing.live.MemberBudgets;
import io.streamspace.billing.spend.SpendingLimits;
import io.streamspace.testing.MutableClock;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * Another node of the cluster, as far as admission goes: its own {@link Admission} on the test
 * database, with the default config and a host of its own, which sees what the harness's node
 * changed only when it reloads ({@link Admission#refresh()}).
 */
public final class AnotherNode {

  private AnotherNode() {}

  /** That node's admission at {@code clock}; the caller closes it. */
  public static Admission admission(MutableClock clock) {
    return admission(clock, BillingConfig.defaults(), TestDatabase.dataSource());
  }

  /**
   * That node's admission at {@code clock} under {@code config}, reaching the test database
   * through {@code dataSource} (a pool of its own, as another node has); the caller closes it.
   */
  public static Admission admission(
      MutableClock clock, BillingConfig config, DataSource dataSource) {
    TestPluginContext host = new TestPluginContext(clock);
    AccountHolds holds =
        new AccountHolds(dataSource, new BillingEvents(host.events()), host.sessions(), clock);
    return new Admission(
        dataSource, holds, () -> config, clock, liveCosts(dataSource, () -> config, clock));
  }

  /**
   * A node's live cost at {@code clock} under {@code config}, as admission reads its totals (no
   * prepaid balance, no member budgets: admission reads neither from it).
   */
  public static LiveCosts liveCosts(
      DataSource dataSource, Supplier<BillingConfig> config, MutableClock clock) {
    TestPluginContext host = new TestPluginContext(clock);
    BillingEvents events = new BillingEvents(host.events());
    AccountHolds holds = new AccountHolds(dataSource, events, host.sessions(), clock);
    InvoiceCalculator calculator = new InvoiceCalculator(dataSource, config);
    SpendingLimits spending =
        new SpendingLimits(
            dataSource,
            calculator,
            new AccountRepository(dataSource),
            holds,
            events,
            config,
            clock);
    return new LiveCosts(
        dataSource, calculator, spending, BalanceSource.NONE, MemberBudgets.NONE, config, clock);
  }
}
