package io.streamspace.billing.plans;

import java.time.Instant;

/**
 * A migration of the organizations on one version of a plan onto another ({@code
 * billing_plan_migrations}, V90), as its routes answer it.
 *
 * @param effectiveAt when they move: their terms on {@code fromVersion} end and those on {@code
 *     toVersion} start then
 * @param noticeAt {@code noticeDays} before it: from then each is told, once
 * @param status {@code scheduled}, {@code applied} once every organization on {@code fromVersion}
 *     was moved, or {@code cancelled}
 * @param moved how many organizations it moved so far
 */
public record PlanMigration(
    long id,
    String planId,
    int fromVersion,
    int toVersion,
    Instant effectiveAt,
    int noticeDays,
    Instant noticeAt,
    String status,
    String reason,
    String createdBy,
    Instant createdAt,
    Instant cancelledAt,
    String cancelledBy,
    Instant appliedAt,
    int moved) {

  public static final String SCHEDULED = "scheduled";
  public static final String APPLIED = "applied";
  public static final String CANCELLED = "cancelled";
}
