package io.streamspace.billing.events;

import java.time.Instant;

/**
 * The payload of {@code billing.org.membership_refused}: an organization event the plugin keeps
 * but does not apply (it would have left the organization without an Owner, or it is a second
 * org.created), so the platform can see where its memberships and the plugin's differ; and of
 * {@code billing.org.membership_applied}, when an event arriving later lifts that refusal.
 *
 * @param orgId      the organization
 * @param eventId    the platform's event id
 * @param type       its type, such as {@code org.member_removed}
 * @param userId     the member it names (an org.created's owner)
 * @param role       the role it gives; null for a removal
 * @param occurredAt its event time
 * @param reason     {@code last_owner} or {@code duplicate_creation}: why it is (or was) refused
 * @param refused    true: refused from now on; false: it applies from now on
 */
public record MembershipRefused(
    String orgId,
    String eventId,
    String type,
    String userId,
    String role,
    Instant occurredAt,
    String reason,
    boolean refused) {}
