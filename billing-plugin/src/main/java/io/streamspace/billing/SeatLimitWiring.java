package io.streamspace.billing;

import io.streamspace.billing.account.SeatLimit;
import io.streamspace.billing.account.SeatLimits;
import io.streamspace.billing.http.ReadOnlyLock;
import io.streamspace.billing.http.SeatLimitRoutes;
import java.util.function.BiConsumer;

/** The seat limit an organization's Owner sets, and its routes. */
final class SeatLimitWiring {

  private SeatLimitWiring() {}

  /** {@code changedHere}: told of each limit set or removed here, once committed. */
  static void wire(
      Wiring wiring, ReadOnlyLock readOnlyLock, BiConsumer<String, SeatLimit> changedHere) {
    new SeatLimitRoutes(
            wiring.orgAccess(),
            wiring.accounts(),
            new SeatLimits(wiring.dataSource(), changedHere),
            readOnlyLock,
            wiring.config(),
            wiring.clock())
        .register(wiring.routes());
  }
}
