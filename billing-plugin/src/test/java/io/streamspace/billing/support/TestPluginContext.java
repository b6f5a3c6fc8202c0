package io.streamspace.billing.support;

import io.streamspace.plugin.api.PluginContext;
import io.streamspace.plugin.api.config.PluginConfig;
import io.streamspace.plugin.api.event.EventPublisher;
import io.streamspace.plugin.api.session.SessionControl;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;

/** A hand-written host context: real PostgreSQL, a movable clock, direct jobs, a route table. */
public final class TestPluginContext implements PluginContext {

  private final MutableClock clock;
  private final DirectJobScheduler scheduler;
  private final RouteTable routes = new RouteTable();
  private final Map<String, String> secrets = new HashMap<>();
  private final List<Published> published = new CopyOnWriteArrayList<>();
  private volatile String configJson = "{}";

  public TestPluginContext(MutableClock clock) {
    this.clock = clock;
    this.scheduler = new DirectJobScheduler(clock);
  }

  public void setConfigJson(String json) {
    configJson = json;
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

  @Override
  public DataSource dataSource() {
    return TestDatabase.dataSource();
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

  /** An event a plugin published. */
  public record Published(String type, String payloadJson) {}

  /** Every event published so far, in order. */
  public List<Published> published() {
    return List.copyOf(published);
  }

  @Override
  public EventPublisher events() {
    return (type, payload) -> published.add(new Published(type, payload));
  }

  @Override
  public SessionControl sessions() {
    return new SessionControl() {
      @Override
      public void suspend(String sessionId, String reason) {}

      @Override
      public void resume(String sessionId) {}
    };
  }

  @Override
  public System.Logger logger() {
    return System.getLogger("billing");
  }
}
