package io.streamspace.billing;

import io.streamspace.billing.account.Memberships;
import io.streamspace.billing.caps.MemberCaps;
import io.streamspace.billing.caps.MemberCapsInMemory;
import io.streamspace.billing.http.MemberCapRoutes;
import io.streamspace.billing.http.ReadOnlyLock;

/**
 * Member caps: an Admin's cap on what one member holds at once inside a team organization, set
 * and read through {@code /member-caps}, and handed to admission, which refuses past it.
 */
final class MemberCapsWiring {

  private MemberCapsWiring() {}

  static void wire(Wiring wiring, ReadOnlyLock readOnlyLock, MemberCapsInMemory admission) {
    new MemberCapRoutes(
            wiring.orgAccess(),
            wiring.accounts(),
            new Memberships(wiring.dataSource()),
            new MemberCaps(wiring.dataSource()),
            admission,
            readOnlyLock,
            wiring.clock())
        .register(wiring.routes());
  }
}
