package io.streamspace.billing.audit;

import java.time.Instant;

/**
 * Which entries an admin asks for: each field null when not filtered on. {@code from} is
 * inclusive and {@code to} exclusive; {@code beforeId} pages back from the previous page's last
 * entry (entries come newest first).
 */
public record AuditFilter(
    String orgId,
    Actor.Type actorType,
    String actorId,
    String kind,
    Instant from,
    Instant to,
    Long beforeId) {}
