package io.streamspace.plugin.api.event;

/**
 * Publishes events from a plugin to the platform, for example {@code billing.quota.warning} or
 * {@code billing.invoice.created}. Delivery is the host's business; publishing never blocks for
 * long and never fails the caller.
 *
 * <p>Stable since 0.1.
 */
public interface EventPublisher {

  /**
   * @param type        dotted event name, prefixed with the plugin id
   * @param payloadJson the event's body as JSON object text, snake_case keys
   */
  void publish(String type, String payloadJson);
}
