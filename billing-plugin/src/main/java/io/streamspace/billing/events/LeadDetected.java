package io.streamspace.billing.events;

import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;

/**
 * {@code billing.lead.detected}: an organization became a sales lead for {@code reason} (once per
 * organization, reason and 30-day window starting {@code windowStart}).
 *
 * @param evidence the reason's evidence under its name, as {@code GET /admin/leads} gives it
 */
public record LeadDetected(
    String orgId,
    String plan,
    String reason,
    Map<String, Object> evidence,
    LocalDate windowStart,
    Instant detectedAt) {}
