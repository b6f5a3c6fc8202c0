package io.streamspace.billing;

import io.streamspace.billing.audit.AuditLog;
import io.streamspace.billing.http.AuditRoutes;

/** The audit trail's admin routes; the trail itself is written by each feature as it changes. */
final class AuditWiring {

  private AuditWiring() {}

  static void wire(Wiring wiring) {
    new AuditRoutes(new AuditLog(wiring.dataSource()), wiring.config()).register(wiring.routes());
  }
}
