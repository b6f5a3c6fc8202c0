package io.streamspace.host.intake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamspace.host.http.ApiException;
import io.streamspace.host.platform.SessionTracker;
import io.streamspace.host.plugins.ActivePlugin;
import io.streamspace.host.plugins.PluginRegistry;
import io.streamspace.plugin.api.event.SessionEvent;
import io.streamspace.plugin.api.http.DatabaseOutage;
import io.streamspace.plugin.api.http.HttpStatus;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Platform event intake: parse and validate a batch once, drop ids applied recently, hand the
 * rest in order to every enabled plugin, and answer only after every plugin flushed them. No
 * query per event: de-duplication here is in memory, durable idempotency is the plugins' job.
 */
public final class EventIntake {

  /** What a batch did: events handed to plugins, and events skipped as already applied. */
  public record Result(int accepted, int duplicates) {}

  private static final Logger log = LoggerFactory.getLogger(EventIntake.class);
  private static final Duration FLUSH_TIMEOUT = Duration.ofSeconds(30);
  private static final int REMEMBERED_IDS = 500_000;

  private final EventParser parser;
  private final PluginRegistry plugins;
  private final SessionTracker sessions;
  private final RecentEventIds recent = new RecentEventIds(REMEMBERED_IDS);

  /** @param maxEventAge events older than this behind the clock are refused */
  public EventIntake(
      ObjectMapper mapper,
      Clock clock,
      Duration maxEventAge,
      PluginRegistry plugins,
      SessionTracker sessions) {
    this.parser = new EventParser(mapper, clock, maxEventAge);
    this.plugins = plugins;
    this.sessions = sessions;
  }

  /**
   * Applies a request body of one event or an array of events.
   *
   * @throws ApiException when the body is refused (nothing applied) or plugins could not flush
   */
  public Result receive(byte[] body) {
    List<PlatformEvent> events = parser.parse(body);
    List<PlatformEvent> fresh = new ArrayList<>(events.size());
    Set<String> freshIds = new HashSet<>();
    for (PlatformEvent event : events) {
      if (!recent.contains(event.id()) && freshIds.add(event.id())) {
        fresh.add(event);
      }
    }
    List<ActivePlugin> targets = plugins.active();
    for (PlatformEvent event : fresh) {
      track(event);
      for (ActivePlugin plugin : targets) {
        event.deliverTo(plugin.extension(), plugin.context());
      }
    }
    flush(targets);
    recent.rememberAll(freshIds);
    return new Result(fresh.size(), events.size() - fresh.size());
  }

  /**
   * Delivers an event the host kept (a dead letter, in the format of {@link EventWire}) to one
   * plugin again, whatever its age, and waits for the plugin's flush. The plugin either stores it
   * or sets it aside again; either way the flush completes.
   *
   * @throws ApiException 409 {@code plugin_not_started} when the plugin is not running here, 409
   *     {@code not_replayable} when the event is not valid by today's rules; 503 when the plugin
   *     could not flush (nothing is known to be stored)
   */
  public void redeliver(String pluginId, JsonNode keptEvent) {
    ActivePlugin target =
        plugins.active().stream()
            .filter(plugin -> plugin.id().equals(pluginId))
            .findFirst()
            .orElseThrow(
                () ->
                    new ApiException(
                        HttpStatus.CONFLICT,
                        "plugin_not_started",
                        "plugin " + pluginId + " is not started; enable it, then replay"));
    PlatformEvent event;
    try {
      event = parser.parseKept(keptEvent);
    } catch (IllegalArgumentException e) {
      // kept by an older host whose rules were looser: the platform must send it anew
      throw new ApiException(
          HttpStatus.CONFLICT,
          "not_replayable",
          "the kept event is no longer valid: " + e.getMessage());
    }
    // not tracked again: the host saw this event when it first arrived, and a replayed start or
    // heartbeat must not bring back a session that has ended since
    event.deliverTo(target.extension(), target.context());
    flush(List.of(target));
  }

  private void track(PlatformEvent event) {
    if (event instanceof PlatformEvent.SessionChanged changed) {
      SessionEvent session = changed.event();
      if (changed.type() == EventType.SESSION_TERMINATED) {
        sessions.ended(session.sessionId());
      } else {
        sessions.started(session.sessionId(), session.userId());
      }
    }
  }

  /** Waits until every plugin durably stored what it was handed, so the batch may be answered. */
  private void flush(List<ActivePlugin> targets) {
    CompletableFuture<?>[] flushes =
        targets.stream()
            .map(p -> p.extension().flush().toCompletableFuture())
            .toArray(CompletableFuture[]::new);
    try {
      CompletableFuture.allOf(flushes).get(FLUSH_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new ApiException(
          HttpStatus.SERVICE_UNAVAILABLE,
          "flush_timeout",
          "plugins did not store the events within "
              + FLUSH_TIMEOUT.toSeconds()
              + " s; retry the batch");
    } catch (ExecutionException e) {
      if (DatabaseOutage.causedBy(e.getCause())) {
        // an outage is seen on every batch until it ends: one line each, not a stack trace
        log.warn(
            "Plugins could not store a batch: the database cannot be reached ({})",
            e.getCause().getMessage());
        throw new ApiException(
            HttpStatus.SERVICE_UNAVAILABLE,
            "database_unavailable",
            "the database cannot be reached; retry the batch");
      }
      log.error("A plugin failed to flush events", e.getCause());
      throw new ApiException(
          HttpStatus.SERVICE_UNAVAILABLE,
          "flush_failed",
          "a plugin could not store the events; retry the batch");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiException(
          HttpStatus.SERVICE_UNAVAILABLE,
          "flush_interrupted",
          "the host is shutting down; retry the batch");
    }
  }
}
