package io.streamspace.host.journal;

import java.time.Instant;

/**
 * One accepted platform event as the journal keeps it.
 *
 * @param eventId    the platform's id, unique in the journal for its retention
 * @param type       the wire type ({@code session.created}...)
 * @param occurredAt when it happened on the platform
 * @param userId     whose event it is: the user's, or an organization event's organization's
 *     (support finds either by {@code user_id}; a personal organization's id is its user's)
 * @param sessionId  the session it is about; null for a user event
 * @param body       the event in the format of {@code POST /api/platform/events}, one form per
 *     event: a redelivery of the same event has the same body, another event under the same id
 *     has another
 * @param account    the billing account whose event it is: the organization's id, or the user's
 *     for a personal organization; the Kafka journal keys records by it, so that one account's
 *     events stay in order. Null when read back from the PostgreSQL journal, which needs no key
 */
public record JournalEntry(
    String eventId,
    String type,
    Instant occurredAt,
    String userId,
    String sessionId,
    String body,
    String account) {

  /** An entry whose account is not known (read back from the PostgreSQL journal). */
  public JournalEntry(
      String eventId,
      String type,
      Instant occurredAt,
      String userId,
      String sessionId,
      String body) {
    this(eventId, type, occurredAt, userId, sessionId, body, null);
  }
}
