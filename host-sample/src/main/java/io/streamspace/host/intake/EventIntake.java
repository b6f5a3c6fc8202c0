package io.streamspace.host.intake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamspace.common.http.ApiException;
import io.streamspace.host.journal.Appended;
import io.streamspace.host.journal.Journal;
import io.streamspace.host.journal.JournalEntry;
import io.streamspace.host.platform.SessionTracker;
import io.streamspace.host.plugins.ActivePlugin;
import io.streamspace.host.plugins.PluginRegistry;
import io.streamspace.plugin.api.event.SessionEvent;
import io.streamspace.plugin.api.http.DatabaseOutage;
import io.streamspace.plugin.api.http.HttpStatus;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Platform event intake: parse and validate a batch once, journal it, and answer once it is
 * committed there; the journal's consumers hand it to the plugins (this node's, as parsed here).
 * On the PostgreSQL journal, on the node that consumes a plugin's journal, intake also waits
 * (briefly) for the plugin to have stored the batch, so that what a client reads after its 202
 * usually includes it; on Kafka it does not ({@link Journal#awaitConsumed}).
 */
public final class EventIntake {

  private static final Logger log = LoggerFactory.getLogger(EventIntake.class);

  /**
   * What a batch did.
   *
   * @param accepted   events journaled now
   * @param duplicates events journaled before (a redelivery), or repeated in the batch
   * @param conflicts  events whose id was journaled with another body: refused, not applied
   */
  public record Result(int accepted, int duplicates, List<Conflict> conflicts) {}

  /** An event refused because its id stands for another event in the journal. */
  public record Conflict(int index, String id, String message) {}

  /** How long intake waits for this node's consumers, where it does, before answering anyway. */
  private static final Duration CONSUMED_WAIT = Duration.ofSeconds(5);

  private static final Duration FLUSH_TIMEOUT = Duration.ofSeconds(30);

  private final EventParser parser;
  private final Journal journal;
  private final PluginRegistry plugins;
  private final SessionTracker sessions;
  private final JournalHandoff handoff;

  /** @param maxEventAge events older than this behind the clock are refused */
  public EventIntake(
      ObjectMapper mapper,
      Clock clock,
      Duration maxEventAge,
      Journal journal,
      PluginRegistry plugins,
      SessionTracker sessions,
      JournalHandoff handoff) {
    this.parser = new EventParser(mapper, clock, maxEventAge);
    this.journal = journal;
    this.plugins = plugins;
    this.sessions = sessions;
    this.handoff = handoff;
  }

  /**
   * Journals a request body of one event or an array of events.
   *
   * @throws ApiException when the body is refused (nothing journaled), or 503 when a plugin is
   *     too far behind the journal or the journal cannot take it
   * @throws io.streamspace.common.db.Sql.DatabaseException when it could not be journaled (nothing
   *     was)
   */
  public Result receive(byte[] body) {
    List<PlatformEvent> events = parser.parse(body);
    journal.refuseWhenTooFarBehindOrDown();
    List<JournalEntry> entries = new ArrayList<>(events.size());
    for (PlatformEvent event : events) {
      entries.add(entry(event));
    }
    // this node's consumers hand the events as parsed here, not read back from their bodies:
    // kept as soon as their positions are known, before a consumer can read them
    Appended appended =
        journal.append(
            entries,
            (index, partition, seq) -> handoff.journaled(partition, seq, events.get(index)));
    appended.seqs().keySet().stream().sorted().forEach(index -> track(events.get(index)));
    journal.awaitConsumed(appended, CONSUMED_WAIT);
    List<Conflict> conflicts = new ArrayList<>();
    for (int index : appended.conflicts()) {
      conflicts.add(
          new Conflict(
              index,
              events.get(index).id(),
              "another event was accepted under this id; this one is not applied"));
    }
    return new Result(appended.seqs().size(), appended.duplicates(), conflicts);
  }

  private static JournalEntry entry(PlatformEvent event) {
    return new JournalEntry(
        event.id(),
        event.type().wireName(),
        event.occurredAt(),
        event.journalKey(),
        event.sessionId(),
        event.wire(),
        event.account());
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
      if (changed.type() == EventType.SESSION_RESUMED) {
        sessions.resume(session.sessionId()); // the platform resumed it
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
