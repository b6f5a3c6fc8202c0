package io.streamspace.plugin.api;

import io.streamspace.plugin.api.config.PluginConfig;
import io.streamspace.plugin.api.http.HttpRoutes;
import io.streamspace.plugin.api.jobs.JobScheduler;
import io.streamspace.plugin.api.event.EventPublisher;
import io.streamspace.plugin.api.session.SessionControl;
import java.time.Clock;
import javax.sql.DataSource;

/**
 * What the host offers a plugin. One context per plugin; it stays valid from
 * {@link PlatformPlugin#onLoad} to {@link PlatformPlugin#onUnload}.
 *
 * <p>Stable since 0.1.
 */
public interface PluginContext {

  /** The plugin's id, as in its descriptor (for example {@code billing}). */
  String pluginId();

  /** The plugin's current configuration, as the admin last saved it. Never null. */
  PluginConfig config();

  /** A pooled connection source to the host's PostgreSQL database. */
  DataSource dataSource();

  /** The clock to use for every "now"; tests and simulations move it. */
  Clock clock();

  /** Named, cron-scheduled jobs that run through the host's (clustered) scheduler. */
  JobScheduler scheduler();

  /** Registration of HTTP routes under {@code /api/plugins/{pluginId}}. */
  HttpRoutes routes();

  /** Publishes platform events (for example {@code billing.quota.warning}). */
  EventPublisher events();

  /** Suspends and resumes platform sessions. */
  SessionControl sessions();

  /** The plugin's logger, routed to the host's logging. */
  System.Logger logger();
}
