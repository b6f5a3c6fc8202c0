package io.streamspace.billing.audit;

import java.time.Instant;
import java.util.Objects;

/**
 * One change, as the trail keeps it: when (the change's own instant, from the injected clock),
 * why ({@link Cause}: actor, reason, request id), which organization (null for a platform-wide
 * change such as the config), what (a {@code kind} such as {@code credit.granted} and the
 * {@code subject} it changed, e.g. {@code invoice:42}), and the state before and after, each
 * any value the plugin's JSON writes (null where there was none: a creation has no before).
 */
public record AuditEntry(
    Instant at,
    Cause cause,
    String orgId,
    String kind,
    String subject,
    Object before,
    Object after) {

  public AuditEntry {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(cause, "cause");
    Objects.requireNonNull(kind, "kind");
  }
}
