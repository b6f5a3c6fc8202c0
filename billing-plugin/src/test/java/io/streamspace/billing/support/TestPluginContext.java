package io.streamspace.billing.support;

import io.streamspace.plugin.api.PluginContext;
import io.streamspace.plugin.api.config.PluginConfig;
import io.streamspace.plugin.api.event.DeadLetters;
import io.streamspace.plugin.api.event.EventPublisher;
import io.streamspace.plugin.api.event.JournalEvents;
import io.streamspace.plugin.api.event.OrganizationEvent;
import io.streamspace.plugin.api.event.SessionEvent;
import io.streamspace.plugin.api.event.UsageReport;
import io.streamspace.plugin.api.event.UserEvent;
import io.streamspace.plugin.api.session.SessionControl;
import io.streamspace.testing.MutableClock;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;

/**
 * A hand-written host context: real PostgreSQL, a movable clock, direct jobs, a route table,
 * dead letters kept in a list, metrics kept in memory, the journal a test sets.
 */
public final class TestPluginContext implements PluginContext {

  /** An event the plugin set aside: the hook it came through, the event, and why. */
  public record DeadLetter(String hook, Object event, String reason) {}

  private final MutableClock clock;
  private final DirectJobScheduler scheduler;
  private final RouteTable routes = new RouteTable();
  private final Map<String, String> secrets = new HashMap<>();
  private final List<String> published = new CopyOnWriteArrayList<>();
  private final List<DeadLetter> deadLetters = new CopyOnWriteArrayList<>();
  private final List<String> sessionControls = new CopyOnWriteArrayList<>();
  private final RecordingMetrics metrics = new RecordingMetrics();
  private final DataSource dataSource;
  private volatile String configJson = "{}";
  private volatile JournalEvents journal = JournalEvents.none();

  public TestPluginContext(MutableClock clock) {
    this(clock, TestDatabase.dataSource());
  }

  /** A context whose plugin reads and writes through {@code dataSource} (a recording one). */
  public TestPluginContext(MutableClock clock, DataSource dataSource) {
    this.clock = clock;
    this.scheduler = new DirectJobScheduler(clock);
    this.dataSource = dataSource;
  }

  public void setConfigJson(String json) {
    configJson = json;
  }

  /** The journal the plugin looks events up in; none (a host that keeps none) until set. */
  public void setJournal(JournalEvents journal) {
    this.journal = journal;
  }

  @Override
  public JournalEvents journal() {
    return journal;
  }

  public void setSecret(String name, String value) {
    secrets.put(name, value);
  }

  @Override
  public String pluginId() {
    return "billing";
  }

  @Override
  public PluginConfig config() {
    String json = configJson;
    return new PluginConfig() {
      @Override
      public String json() {
        return json;
      }

      @Override
      public Map<String, Object> asMap() {
        throw new UnsupportedOperationException("the billing plugin reads json()");
      }

      @Override
      public Optional<String> secret(String name) {
        return Optional.ofNullable(secrets.get(name));
      }
    };
  }

  /** The plugin's counters and timers, kept in memory. */
  @Override
  public RecordingMetrics metrics() {
    return metrics;
  }

  @Override
  public DataSource dataSource() {
    return dataSource;
  }

  @Override
  public Clock clock() {
    return clock;
  }

  @Override
  public DirectJobScheduler scheduler() {
    return scheduler;
  }

  @Override
  public RouteTable routes() {
    return routes;
  }

  /** Every event published so far, as {@code "type payload"}. */
  public List<String> published() {
    return List.copyOf(published);
  }

  @Override
  public EventPublisher events() {
    return (type, payload) -> published.add(type + " " + payload);
  }

  /** Every call to the session control so far, as {@code "suspend s1: reason"}, {@code "resume s1"}. */
  public List<String> sessionControls() {
    return List.copyOf(sessionControls);
  }

  @Override
  public SessionControl sessions() {
    return new SessionControl() {
      @Override
      public void suspend(String sessionId, String reason) {
        sessionControls.add("suspend " + sessionId + ": " + reason);
      }

      @Override
      public void resume(String sessionId) {
        sessionControls.add("resume " + sessionId);
      }
    };
  }

  /** Every event set aside so far, in order. */
  public List<DeadLetter> deadLettersRecorded() {
    return List.copyOf(deadLetters);
  }

  @Override
  public DeadLetters deadLetters() {
    return new DeadLetters() {
      @Override
      public void recordUserCreated(UserEvent event, String reason) {
        deadLetters.add(new DeadLetter("onUserCreated", event, reason));
      }

      @Override
      public void recordSessionCreated(SessionEvent event, String reason) {
        deadLetters.add(new DeadLetter("onSessionCreated", event, reason));
      }

      @Override
      public void recordSessionHeartbeat(SessionEvent event, String reason) {
        deadLetters.add(new DeadLetter("onSessionHeartbeat", event, reason));
      }

      @Override
      public void recordSessionTerminated(SessionEvent event, String reason) {
        deadLetters.add(new DeadLetter("onSessionTerminated", event, reason));
      }

      @Override
      public void recordUsageReported(UsageReport report, String reason) {
        deadLetters.add(new DeadLetter("onUsageReported", report, reason));
      }

      @Override
      public void recordOrganizationEvent(OrganizationEvent event, String reason) {
        deadLetters.add(new DeadLetter("onOrganizationEvent", event, reason));
      }
    };
  }

  @Override
  public System.Logger logger() {
    return System.getLogger("billing");
  }
}
