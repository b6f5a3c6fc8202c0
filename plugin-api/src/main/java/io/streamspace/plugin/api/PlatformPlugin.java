package io.streamspace.plugin.api;

import io.streamspace.plugin.api.event.OrganizationEvent;
import io.streamspace.plugin.api.event.SessionEvent;
import io.streamspace.plugin.api.event.UsageReport;
import io.streamspace.plugin.api.event.UserEvent;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.pf4j.ExtensionPoint;

/**
 * The extension point every plugin implements: lifecycle hooks called by the host.
 *
 * <p>The host delivers platform events <em>at least once</em> and possibly out of order, so hooks
 * must be idempotent by {@code event.id()} and must use {@code event.occurredAt()}, never the time
 * of arrival. Hooks may be called concurrently from several threads; they should return quickly
 * (hand the work to a queue) and push back by blocking when that queue is full.
 *
 * <p>The host acknowledges a batch of events to the platform only after {@link #flush()} has
 * completed, so an acknowledged event is never lost in a crash.
 *
 * <p>It extends PF4J's marker {@link ExtensionPoint}, the one non-JDK type in this API: PF4J
 * finds extensions through it, and the host loads PF4J in the parent class loader that every
 * plugin shares.
 *
 * <p>Stable since 0.1.
 */
public interface PlatformPlugin extends ExtensionPoint {

  /** Called once when the plugin is started: migrate storage, register routes and jobs. */
  default void onLoad(PluginContext context) {}

  /** Called once when the plugin is stopped or disabled: flush queues, release resources. */
  default void onUnload(PluginContext context) {}

  /** A user account was created on the platform. */
  default void onUserCreated(PluginContext context, UserEvent event) {}

  /** A session was created and starts consuming the given resources at {@code occurredAt}. */
  default void onSessionCreated(PluginContext context, SessionEvent event) {}

  /**
   * A session is still alive at {@code occurredAt}. When {@link SessionEvent#resources()} is not
   * null the session uses those resources from that instant on. The platform's {@code
   * session.resumed} (the user came back to a session suspended for a while) comes here too, its
   * activity active (since 0.4).
   */
  default void onSessionHeartbeat(PluginContext context, SessionEvent event) {}

  /** A session ended at {@code occurredAt}. */
  default void onSessionTerminated(PluginContext context, SessionEvent event) {}

  /**
   * The platform reported usage of a counted meter ({@code usage.reported}): an increment at
   * {@code occurredAt}. Delivered at least once, like every event, so a plugin counts each
   * {@code report.id()} once. A default method, so plugins written before it keep compiling and
   * ignore such reports.
   *
   * <p>Stable since 0.2.
   */
  default void onUsageReported(PluginContext context, UsageReport report) {}

  /**
   * An organization was created or deleted, or a user joined it, changed role in it or left it
   * ({@code org.created}, {@code org.member_added}, {@code org.member_role_changed}, {@code
   * org.member_removed}, {@code org.deleted}). Delivered at least once and in any order, like
   * every event. A default method, so plugins written before it keep compiling and ignore
   * organizations.
   *
   * @since 0.3
   */
  default void onOrganizationEvent(PluginContext context, OrganizationEvent event) {}

  /**
   * Completes once every event handed to this plugin before the call is durably stored. The host
   * waits on it before it acknowledges a batch. Plugins that store synchronously need not
   * override it.
   */
  default CompletionStage<Void> flush() {
    return CompletableFuture.completedFuture(null);
  }

  /** A human-readable name for catalogs; defaults to the plugin id. */
  default String displayName() {
    return null;
  }
}
