package io.streamspace.billing.support;

import io.streamspace.billing.admission.Admission;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.hold.AccountHolds;
import io.streamspace.testing.MutableClock;

/**
 * Another node of the cluster, as far as admission goes: its own {@link Admission} on the test
 * database, with the default config and a host of its own, which sees what the harness's node
 * changed only when it reloads ({@link Admission#refresh()}).
 */
public final class AnotherNode {

  private AnotherNode() {}

  /** That node's admission at {@code clock}; the caller closes it. */
  public static Admission admission(MutableClock clock) {
    TestPluginContext host = new TestPluginContext(clock);
    AccountHolds holds =
        new AccountHolds(
            TestDatabase.dataSource(), new BillingEvents(host.events()), host.sessions(), clock);
    BillingConfig config = BillingConfig.defaults();
    return new Admission(TestDatabase.dataSource(), holds, () -> config, clock);
  }
}
