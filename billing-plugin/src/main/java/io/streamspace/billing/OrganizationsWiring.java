package io.streamspace.billing;

import io.streamspace.billing.account.OwnershipTransfers;
import io.streamspace.billing.http.OwnershipRoutes;

/** What the plugin itself changes of organizations: ownership transfer, and its route. */
final class OrganizationsWiring {

  private OrganizationsWiring() {}

  static void wire(Wiring wiring) {
    new OwnershipRoutes(
            wiring.orgAccess(),
            new OwnershipTransfers(wiring.dataSource(), wiring.events(), wiring.clock()))
        .register(wiring.routes());
  }
}
