package io.streamspace.host.deadletters;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * A platform event a plugin could never store, as admins see it.
 *
 * @param pluginId     the plugin's id; {@link DeadLetterStore#JOURNAL} for an event the journal
 *                     set aside itself (on Kafka: another body under an id already accepted)
 * @param event        the event as the platform posted it, replayed as is
 * @param reason       why the plugin could not store it, the last time it tried
 * @param failures     how many times it was set aside (redeliveries and failed replays add one)
 * @param replayStatus {@code pending}, {@code replayed}, or {@code replay_failed} when the last
 *                     replay was set aside again
 * @param journalId    the event's entry in the event journal ({@code seq}); null for an event set
 *                     aside before the host journaled events
 */
public record DeadLetter(
    long id,
    String pluginId,
    String eventId,
    String eventType,
    JsonNode event,
    String reason,
    int failures,
    Instant firstFailedAt,
    Instant lastFailedAt,
    String replayStatus,
    Instant replayedAt,
    Long journalId) {}
