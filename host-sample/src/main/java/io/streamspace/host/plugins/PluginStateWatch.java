package io.streamspace.host.plugins;

import io.streamspace.host.threads.Daemons;
import io.streamspace.plugin.api.http.DatabaseOutage;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings what admins change on other nodes (enable, disable, config; install, update, uninstall)
 * to this one: every 500 ms it has the registry apply the plugin states stored with a newer
 * version than it applied. A change reaches every node within a second or two: the next look,
 * plus the time the plugin takes to start or stop (and, for an install or update, to fetch it).
 * A poll, rather than LISTEN/NOTIFY, needs no connection of its own outside the pool and misses
 * nothing while the database is away; reading a few rows twice a second costs the database next
 * to nothing.
 */
public final class PluginStateWatch implements AutoCloseable {

  private static final Duration EVERY = Duration.ofMillis(500);

  private static final Logger log = LoggerFactory.getLogger(PluginStateWatch.class);

  private final PluginRegistry registry;
  private final ScheduledExecutorService timer = Daemons.scheduler("plugin-state-watch");
  private boolean failing;

  public PluginStateWatch(PluginRegistry registry) {
    this.registry = registry;
  }

  public void start() {
    timer.scheduleWithFixedDelay(
        this::look, EVERY.toMillis(), EVERY.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** One look; a failure is logged once until a look succeeds again. */
  private void look() {
    try {
      registry.applyChangesFromOtherNodes();
      if (failing) {
        failing = false;
        log.info("Plugin states are read again; changes made on other nodes apply here again");
      }
    } catch (RuntimeException e) {
      if (!failing) {
        failing = true;
        if (DatabaseOutage.causedBy(e)) {
          log.warn(
              "Plugin states cannot be read: the database cannot be reached ({})", e.toString());
        } else {
          log.error("Plugin states cannot be read; retrying", e);
        }
      }
    }
  }

  /** Stops looking, letting a change being applied finish first. */
  @Override
  public void close() {
    timer.shutdown();
    try {
      if (!timer.awaitTermination(30, TimeUnit.SECONDS)) {
        timer.shutdownNow();
      }
    } catch (InterruptedException e) {
      timer.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
