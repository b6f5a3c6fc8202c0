package io.streamspace.billing;

import io.streamspace.billing.hold.AccountHolds;
import io.streamspace.billing.hold.PaymentLock;
import io.streamspace.billing.http.ReadOnlyLock;

/**
 * Holds on accounts, which suspend and resume their sessions through the host, and the two
 * rules built on them: the read-only lock for non-payment and the refusal of changes while an
 * account is locked.
 */
record HoldsWiring(AccountHolds holds, PaymentLock paymentLock, ReadOnlyLock readOnlyLock) {

  static HoldsWiring wire(Wiring wiring) {
    AccountHolds holds =
        new AccountHolds(
            wiring.dataSource(), wiring.events(), wiring.context().sessions(), wiring.clock());
    return new HoldsWiring(
        holds,
        new PaymentLock(wiring.dataSource(), holds, wiring.config(), wiring.clock()),
        new ReadOnlyLock(holds, wiring.accounts()));
  }
}
