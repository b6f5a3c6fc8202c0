package io.streamspace.billing.admission;

import java.time.Instant;

/**
 * A member's latest membership event in an organization, as admission knows it: whether it left
 * them a role (added, or role changed) or none (removed). Which of two is the latest is decided as
 * {@code billing_memberships} decides it, by event time, ties by event id, so that what a node
 * saw and what the database holds merge to the same answer in any order.
 *
 * @param at the event's instant
 * @param eventId the event's id
 * @param member whether it left the user a member
 * @param seenHereAt when this node was handed it; null when loaded from the database
 */
record MemberEvent(Instant at, String eventId, boolean member, Instant seenHereAt) {

  /** Whether this event decides the membership over {@code other}: later, or as late, larger id. */
  boolean isAfter(MemberEvent other) {
    int byTime = at.compareTo(other.at);
    return byTime != 0 ? byTime > 0 : eventId.compareTo(other.eventId) > 0;
  }
}
