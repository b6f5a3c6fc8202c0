package io.streamspace.billing;

import io.streamspace.billing.http.PlanRoutes;
import io.streamspace.billing.http.ReadOnlyLock;
import io.streamspace.billing.http.SubscriptionRoutes;
import io.streamspace.billing.payments.subscription.StripeSubscriptions;
import io.streamspace.billing.plans.PlanChanges;
import io.streamspace.billing.plans.SubscriptionRepository;
import io.streamspace.billing.quota.OverLimitSuspensions;

/** Subscriptions and plan changes (a change can lift an over-limit suspension) and their routes. */
record PlansWiring(SubscriptionRepository subscriptions, PlanChanges planChanges) {

  static PlansWiring wire(
      Wiring wiring, OverLimitSuspensions suspensions, ReadOnlyLock readOnlyLock) {
    SubscriptionRepository subscriptions = new SubscriptionRepository(wiring.dataSource());
    PlanChanges planChanges = new PlanChanges(subscriptions, wiring.events(), suspensions);
    new SubscriptionRoutes(
            wiring.orgAccess(),
            subscriptions,
            planChanges,
            new StripeSubscriptions(wiring.dataSource()),
            readOnlyLock,
            wiring.config(),
            wiring.clock())
        .register(wiring.routes());
    new PlanRoutes(
            wiring.orgAccess(), wiring.accounts(), subscriptions, readOnlyLock, wiring.config())
        .register(wiring.routes());
    return new PlansWiring(subscriptions, planChanges);
  }
}
