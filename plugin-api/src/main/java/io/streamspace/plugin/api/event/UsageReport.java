package io.streamspace.plugin.api.event;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The platform reports an amount of a counted meter a user consumed: GB of bandwidth, minutes of
 * transcoding, AI queries. Each report is an increment; a meter's total over a period is the sum
 * of the reports that occurred in it.
 *
 * @param id         the event's unique id; a redelivered event has the same id
 * @param occurredAt when the usage happened on the platform
 * @param userId     the user who consumed it
 * @param meter      what was consumed: one of {@link #METERS} or a meter a plugin's config adds,
 *                   an id that {@link #METER_ID} matches ({@code gpu_minutes})
 * @param quantity   how much, in the meter's unit; not negative
 * @param sessionId  the session it was consumed in, or null
 * @param orgId      the organization that pays for it, or null for the user's personal
 *                   organization. Since 0.3.
 *
 * <p>Stable since 0.2.
 */
public record UsageReport(
    String id,
    Instant occurredAt,
    String userId,
    String meter,
    BigDecimal quantity,
    String sessionId,
    String orgId) {

  /** The built-in meters a platform reports, in their unit: GB, minutes and queries. */
  public static final List<String> METERS =
      List.of("bandwidth_gb", "transcoding_minutes", "ai_queries");

  /**
   * What a meter's id may be: 1 to 40 lower case letters, digits or underscores, a letter first.
   * A host accepts a report of any such meter; a plugin counts those its config knows.
   *
   * @since 0.3
   */
  public static final Pattern METER_ID = Pattern.compile("[a-z][a-z0-9_]{0,39}");

  public UsageReport {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(occurredAt, "occurredAt");
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(meter, "meter");
    Objects.requireNonNull(quantity, "quantity");
    if (quantity.signum() < 0) {
      throw new IllegalArgumentException("quantity must not be negative");
    }
  }

  /**
   * The organization the usage is billed to: {@link #orgId()}, else the user's personal
   * organization, whose id is {@link #userId()} ({@link BilledOrganization#of}). Not part of the
   * event's wire format.
   *
   * @since 0.3
   */
  public String billedOrgId() {
    return BilledOrganization.of(orgId, userId);
  }

  /** A report without an organization, as before 0.3. */
  public UsageReport(
      String id,
      Instant occurredAt,
      String userId,
      String meter,
      BigDecimal quantity,
      String sessionId) {
    this(id, occurredAt, userId, meter, quantity, sessionId, null);
  }
}
