package io.streamspace.host.webhooks;

import java.time.Instant;
import java.util.List;

/**
 * An endpoint events are delivered to, as the admin routes show it (never with its secret).
 *
 * @param eventTypes exact types, or prefixes ending in {@code *} ({@code billing.*})
 * @param disabledAt when an admin deleted it: nothing more is sent to it; null while active
 */
public record WebhookEndpoint(
    long id, String url, List<String> eventTypes, Instant createdAt, Instant disabledAt) {}
