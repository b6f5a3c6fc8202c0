package io.streamspace.billing.events;

import java.time.Instant;

/**
 * The payload of {@code billing.session.hibernated}: a session nobody used since {@code
 * idleSince} was suspended at {@code at}, billed for storage only until it is reported active.
 */
public record SessionHibernated(String orgId, String sessionId, Instant idleSince, Instant at) {}
