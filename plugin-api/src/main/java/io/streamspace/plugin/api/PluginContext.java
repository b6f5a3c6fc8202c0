package io.streamspace.plugin.api;

import io.streamspace.plugin.api.config.PluginConfig;
import io.streamspace.plugin.api.event.DeadLetters;
import io.streamspace.plugin.api.event.EventPublisher;
import io.streamspace.plugin.api.event.JournalEvents;
import io.streamspace.plugin.api.http.HttpRoutes;
import io.streamspace.plugin.api.jobs.JobScheduler;
import io.streamspace.plugin.api.metrics.PluginMetrics;
import io.streamspace.plugin.api.session.SessionControl;
import java.time.Clock;
import javax.sql.DataSource;

/**
 * What the host offers a plugin. One context per plugin; it stays valid from
 * {@link PlatformPlugin#onLoad} to {@link PlatformPlugin#onUnload}.
 *
 * <p>Stable since 0.1; {@link #deadLetters()} and {@link #metrics()} since 0.2; {@link
 * #journal()} since 0.3.
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

  /**
   * Where to set aside events the plugin can never store, so they block nothing and are kept for
   * an admin to see and replay. Stable since 0.2.
   *
   * <p>The default is for hosts written against 0.1, which keep no dead letters: it throws, so a
   * plugin that sets events aside needs a 0.2 host.
   *
   * @throws UnsupportedOperationException when the host keeps no dead letters
   */
  default DeadLetters deadLetters() {
    throw new UnsupportedOperationException("this host keeps no dead letters (plugin-api < 0.2)");
  }

  /**
   * The plugin's counters and timers, shown with the host's metrics under names prefixed by the
   * plugin's id. Stable since 0.2.
   *
   * <p>The default is for hosts that keep no metrics: what the plugin reports goes nowhere.
   */
  default PluginMetrics metrics() {
    return PluginMetrics.none();
  }

  /**
   * The host's journal of accepted platform events, read-only: what the plugin looks up to trace
   * its figures back to the events the platform sent. Stable since 0.3.
   *
   * <p>The default is for hosts that keep no journal (plugin-api &lt; 0.3): {@link
   * JournalEvents#none()}, whose lookups answer nothing, so a plugin keeps working and says the
   * events are not available.
   */
  default JournalEvents journal() {
    return JournalEvents.none();
  }
}
