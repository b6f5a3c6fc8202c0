package io.streamspace.host.plugins;

import io.streamspace.plugin.api.PluginContext;
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

/** What the host gives one enabled plugin; the config is replaced when the admin saves one. */
final class HostPluginContext implements PluginContext {

  /** The host services every plugin context shares. */
  record SharedServices(
      DataSource dataSource, Clock clock, SessionControl sessions, JournalEvents journal) {}

  private final String pluginId;
  private final SharedServices shared;
  private final JobScheduler scheduler;
  private final HttpRoutes routes;
  private final EventPublisher events;
  private final DeadLetters deadLetters;
  private final PluginMetrics metrics;
  private final System.Logger logger;
  private volatile PluginConfig config;

  HostPluginContext(
      String pluginId,
      PluginConfig config,
      SharedServices shared,
      JobScheduler scheduler,
      HttpRoutes routes,
      EventPublisher events,
      DeadLetters deadLetters,
      PluginMetrics metrics) {
    this.pluginId = pluginId;
    this.config = config;
    this.shared = shared;
    this.scheduler = scheduler;
    this.routes = routes;
    this.events = events;
    this.deadLetters = deadLetters;
    this.metrics = metrics;
    this.logger = new Slf4jSystemLogger(pluginId);
  }

  void replaceConfig(PluginConfig newConfig) {
    this.config = newConfig;
  }

  @Override
  public String pluginId() {
    return pluginId;
  }

  @Override
  public PluginConfig config() {
    return config;
  }

  @Override
  public DataSource dataSource() {
    return shared.dataSource();
  }

  @Override
  public Clock clock() {
    return shared.clock();
  }

  @Override
  public JobScheduler scheduler() {
    return scheduler;
  }

  @Override
  public HttpRoutes routes() {
    return routes;
  }

  @Override
  public EventPublisher events() {
    return events;
  }

  @Override
  public SessionControl sessions() {
    return shared.sessions();
  }

  @Override
  public DeadLetters deadLetters() {
    return deadLetters;
  }

  @Override
  public PluginMetrics metrics() {
    return metrics;
  }

  @Override
  public JournalEvents journal() {
    return shared.journal();
  }

  @Override
  public System.Logger logger() {
    return logger;
  }
}
