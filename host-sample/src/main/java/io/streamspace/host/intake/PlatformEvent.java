package io.streamspace.host.intake;

import io.streamspace.plugin.api.PlatformPlugin;
import io.streamspace.plugin.api.PluginContext;
import io.streamspace.plugin.api.event.SessionEvent;
import io.streamspace.plugin.api.event.UserEvent;

/** One validated platform event, carrying the API record its hook takes. */
sealed interface PlatformEvent {

  String id();

  /** Calls the plugin hook for this event. */
  void deliverTo(PlatformPlugin plugin, PluginContext context);

  /** {@code user.created}. */
  record UserCreated(UserEvent event) implements PlatformEvent {
    public String id() {
      return event.id();
    }

    public void deliverTo(PlatformPlugin plugin, PluginContext context) {
      plugin.onUserCreated(context, event);
    }
  }

  /** {@code session.created}, {@code session.heartbeat} or {@code session.terminated}. */
  record SessionChanged(EventType type, SessionEvent event) implements PlatformEvent {
    public String id() {
      return event.id();
    }

    public void deliverTo(PlatformPlugin plugin, PluginContext context) {
      switch (type) {
        case SESSION_CREATED -> plugin.onSessionCreated(context, event);
        case SESSION_HEARTBEAT -> plugin.onSessionHeartbeat(context, event);
        case SESSION_TERMINATED -> plugin.onSessionTerminated(context, event);
        default -> throw new IllegalStateException("not a session event: " + type);
      }
    }
  }
}
