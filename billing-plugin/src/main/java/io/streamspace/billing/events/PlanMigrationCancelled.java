package io.streamspace.billing.events;

import java.time.Instant;

/**
 * The payload of {@code billing.plan.migration_cancelled}: a migration the organization was told
 * of ({@link PlanMigrationNotice}) was cancelled before it took effect; its plan stays as it is.
 */
public record PlanMigrationCancelled(
    String orgId,
    long migrationId,
    String planId,
    int fromVersion,
    int toVersion,
    Instant effectiveAt) {}
