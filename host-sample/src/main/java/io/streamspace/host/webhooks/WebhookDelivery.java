package io.streamspace.host.webhooks;

import java.time.Instant;
import java.util.List;

/**
 * A delivery of one event to one endpoint, as {@code GET /api/admin/webhooks/{id}/deliveries}
 * lists it, with its attempts newest first.
 *
 * @param status {@code pending} (tried again at {@code nextAttemptAt}), {@code delivered} or
 *     {@code failed} (given up)
 */
public record WebhookDelivery(
    long id,
    long endpointId,
    String eventId,
    String eventType,
    String status,
    int attemptCount,
    Instant createdAt,
    Instant nextAttemptAt,
    Instant lastAttemptAt,
    Integer lastResponseCode,
    String lastError,
    Instant deliveredAt,
    List<Attempt> attempts) {

  /**
   * One POST to the endpoint.
   *
   * @param responseCode null when no answer came (timeout, connection refused)
   * @param error null when it was delivered
   * @param replay true when an admin's replay sent it
   */
  public record Attempt(Instant attemptedAt, Integer responseCode, String error, boolean replay) {}
}
