package io.streamspace.billing;

import io.streamspace.billing.audit.AuditCheckpoints;
import io.streamspace.billing.audit.AuditLog;
import io.streamspace.billing.http.AuditCheckpointRoutes;
import io.streamspace.billing.http.AuditRoutes;
import io.streamspace.billing.jobs.AuditCheckpointJob;

/**
 * The audit trail's admin routes and its signed checkpoints (routes and the audit-checkpoint
 * job); the trail itself is written by each feature as it changes.
 */
final class AuditWiring {

  /** The environment variable of the checkpoint key ({@code auditCheckpointKey}). */
  static final String CHECKPOINT_KEY = "BILLING_AUDIT_KEY";

  private AuditWiring() {}

  static void wire(Wiring wiring) {
    AuditLog log = new AuditLog(wiring.dataSource());
    AuditCheckpoints checkpoints =
        new AuditCheckpoints(
            wiring.dataSource(),
            () -> wiring.context().config().secret(CHECKPOINT_KEY),
            wiring.events(),
            wiring.clock());
    new AuditRoutes(log, checkpoints, wiring.config()).register(wiring.routes());
    new AuditCheckpointRoutes(log, checkpoints).register(wiring.routes());
    new AuditCheckpointJob(checkpoints, wiring.config()).scheduleOn(wiring.scheduler());
  }
}
