package io.streamspace.plugin.api.event;

/**
 * Where a plugin sets aside a platform event it can never store: its database refuses the event
 * for a reason retrying cannot fix (a value a column cannot hold, a constraint it breaks). One
 * such event then no longer blocks the others, and it is not lost: the host keeps it with the
 * reason, shows it to admins, and after a fix replays it by calling the same hook again with the
 * same event (which the plugin stores, or sets aside again with the new reason).
 *
 * <p>Each method returns once the host has durably kept the event, so the plugin may then
 * acknowledge the batch without it. It throws when the host could not keep it: the plugin must
 * then hold on to the event and retry, as after any failed write. Setting aside an event id the
 * host already keeps replaces its reason.
 *
 * <p>Reasons are shown to admins and logged: they name what was refused (a constraint, an
 * SQLState), never a secret.
 *
 * <p>Stable since 0.2.
 */
public interface DeadLetters {

  /** A user event delivered through {@code onUserCreated} could not be stored. */
  void recordUserCreated(UserEvent event, String reason);

  /** A session event delivered through {@code onSessionCreated} could not be stored. */
  void recordSessionCreated(SessionEvent event, String reason);

  /** A session event delivered through {@code onSessionHeartbeat} could not be stored. */
  void recordSessionHeartbeat(SessionEvent event, String reason);

  /** A session event delivered through {@code onSessionTerminated} could not be stored. */
  void recordSessionTerminated(SessionEvent event, String reason);

  /**
   * A usage report delivered through {@code onUsageReported} could not be stored. Hosts implement
   * this interface, plugins only call it, so adding it changed nothing for plugins.
   *
   * <p>Since 0.2.
   */
  void recordUsageReported(UsageReport report, String reason);

  /**
   * An organization event delivered through {@code onOrganizationEvent} could not be stored.
   *
   * <p>Since 0.3.
   */
  void recordOrganizationEvent(OrganizationEvent event, String reason);
}
