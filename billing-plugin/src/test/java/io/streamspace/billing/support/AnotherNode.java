package io.streamspace.billing.support;

import io.streamspace.billing.admission.Admission;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.events.BillingEvents;
import io.streamspace.billing.hold.AccountHolds;
import io.streamspace.testing.MutableClock;
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
    return new Admission(dataSource, holds, () -> config, clock);
  }
}
