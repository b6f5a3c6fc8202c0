package io.streamspace.plugin.api.event;

import java.util.List;

/**
 * Publishes events from a plugin to the platform, for example {@code billing.quota.warning} or
 * {@code billing.invoice.created}. Delivery is the host's business; publishing never blocks for
 * long and never fails the caller.
 *
 * <p>Stable since 0.1.
 */
public interface EventPublisher {

  /**
   * One event of {@link #publishAll}.
   *
   * @param type dotted event name, prefixed with the plugin id
   * @param payloadJson the event's body as JSON object text, snake_case keys
   * @since 0.3
   */
  record Event(String type, String payloadJson) {}

  /**
   * @param type        dotted event name, prefixed with the plugin id
   * @param payloadJson the event's body as JSON object text, snake_case keys
   */
  void publish(String type, String payloadJson);

  /**
   * Publishes each of {@code events}, in order, as {@link #publish} does: for a plugin that has
   * many to tell of at once (a run that finalizes thousands of invoices), so that the host can
   * store them in one write rather than one each. By default, {@link #publish} for each.
   *
   * @since 0.3
   */
  default void publishAll(List<Event> events) {
    events.forEach(event -> publish(event.type(), event.payloadJson()));
  }
}
