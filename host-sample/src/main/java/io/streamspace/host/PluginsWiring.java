package io.streamspace.host;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamspace.host.catalog.PluginApiVersion;
import io.streamspace.host.catalog.PluginReleases;
import io.streamspace.host.catalog.RepositoryReleases;
import io.streamspace.host.http.PluginRouteTable;
import io.streamspace.host.jobs.HostScheduler;
import io.streamspace.host.journal.JournalEventLookup;
import io.streamspace.host.metrics.HostMetrics;
import io.streamspace.host.metrics.JobMeters;
import io.streamspace.host.plugins.ManagedPlugin;
import io.streamspace.host.plugins.PluginDataPurge;
import io.streamspace.host.plugins.PluginRegistry;
import io.streamspace.host.plugins.PluginStateWatch;
import io.streamspace.host.secrets.SecretBox;
import javax.sql.DataSource;

/**
 * The plugins: loaded from the plugins folder and handed in-process, with the services the host
 * offers them (Quartz jobs, routes, events, sessions, dead letters, the journal, secrets,
 * releases from the repositories, metrics), and the watch that applies what other nodes changed.
 */
record PluginsWiring(
    PluginRegistry registry,
    PluginDataPurge dataPurge,
    HostScheduler scheduler,
    RepositoryReleases repositories,
    PluginReleases releases,
    PluginRouteTable routes) {

  /** Loads the plugins and opens them and Quartz; nothing runs until {@link #start}. */
  static PluginsWiring open(
      HostOptions options,
      DatabaseWiring database,
      ObjectMapper mapper,
      SecretBox secretBox,
      PlatformWiring platform,
      JournalWiring journal,
      OpenedParts parts) {
    DataSource dataSource = database.dataSource();
    HostMetrics metrics = database.metrics();
    PluginRouteTable routes = new PluginRouteTable();
    HostScheduler scheduler =
        new HostScheduler(dataSource, options.clock(), journal.journal().node());
    RepositoryReleases repositories =
        new RepositoryReleases(
            options.pluginRepositories(), options.pluginsDir(), PluginApiVersion.current());
    PluginReleases releases =
        options.pluginReleases() == null ? repositories : options.pluginReleases();
    PluginRegistry registry =
        new PluginRegistry(
            options.pluginsDir(),
            options.inProcessPlugins(),
            new PluginRegistry.Services(
                dataSource,
                options.clock(),
                options.secrets(),
                mapper,
                scheduler,
                routes,
                platform.events(),
                platform.sessions(),
                journal.deadLetters()::forPlugin,
                journal.journal(),
                secretBox,
                releases,
                metrics::forPlugin,
                new JournalEventLookup(journal.journal())));
    PluginDataPurge dataPurge = new PluginDataPurge(dataSource, scheduler);
    // Closed in reverse: Quartz (waiting for running jobs) before the plugins unload.
    parts.open(registry);
    parts.open(scheduler);
    scheduler.onRunRecorded(new JobMeters(metrics.registry())::recorded);
    metrics.journalLag(
        journal.journal(),
        () ->
            registry.all().stream()
                .filter(ManagedPlugin::installed)
                .map(ManagedPlugin::id)
                .toList());
    metrics.journalIndexLag(journal.journal()::indexLag);
    return new PluginsWiring(registry, dataPurge, scheduler, repositories, releases, routes);
  }

  /** Starts the plugins, then lets Quartz fire their jobs. */
  void start() {
    registry.startAll();
    scheduler.start(registry::isStarted);
  }

  /**
   * Starts applying what other nodes change; stopped first, so that no change from another node
   * is applied while the plugins unload.
   */
  void watchOtherNodes(OpenedParts parts) {
    parts.open(new PluginStateWatch(registry)).start();
  }
}
