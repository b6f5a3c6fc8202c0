package io.streamspace.billing.payments.collection;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The retry schedule from figures alone: no database, no Stripe. An outage's backoff is 1 minute
 * doubled with each try (1, 2, 4, 8, 16, 32, then 64 held to 60 minutes); a decline's next
 * attempt comes the configured days after the finalization at 2026-04-01 01:00 UTC.
 */
class RetryScheduleTest {

  private static final Instant NOW = Instant.parse("2026-04-01T10:00:00Z");
  private static final Instant FINALIZED = Instant.parse("2026-04-01T01:00:00Z");

  /** paymentRetryDays 1, 3, 7: attempts 2, 3 and 4 on April 2nd, 4th and 8th. */
  private final RetrySchedule schedule = new RetrySchedule(List.of(1, 3, 7));

  @Test
  void anOutageDefersTheAttemptOneMinuteDoublingWithEachTry() {
    assertEquals(Instant.parse("2026-04-01T10:01:00Z"), RetrySchedule.afterOutage(1, NOW));
    assertEquals(Instant.parse("2026-04-01T10:02:00Z"), RetrySchedule.afterOutage(2, NOW));
    assertEquals(Instant.parse("2026-04-01T10:04:00Z"), RetrySchedule.afterOutage(3, NOW));
    assertEquals(Instant.parse("2026-04-01T10:32:00Z"), RetrySchedule.afterOutage(6, NOW));
  }

  @Test
  void anOutageNeverDefersTheAttemptMoreThanAnHour() {
    // the 7th try would wait 64 minutes, the 11th 1024, the 40th as long as the 11th
    assertEquals(Instant.parse("2026-04-01T11:00:00Z"), RetrySchedule.afterOutage(7, NOW));
    assertEquals(Instant.parse("2026-04-01T11:00:00Z"), RetrySchedule.afterOutage(11, NOW));
    assertEquals(Instant.parse("2026-04-01T11:00:00Z"), RetrySchedule.afterOutage(40, NOW));
  }

  @Test
  void aDeclineQueuesTheNextAttemptTheConfiguredDaysAfterTheFinalization() {
    assertEquals(
        Optional.of(Instant.parse("2026-04-02T01:00:00Z")),
        schedule.afterDecline(1, FINALIZED, false, NOW));
    assertEquals(
        Optional.of(Instant.parse("2026-04-04T01:00:00Z")),
        schedule.afterDecline(2, FINALIZED, false, NOW));
    assertEquals(
        Optional.of(Instant.parse("2026-04-08T01:00:00Z")),
        schedule.afterDecline(3, FINALIZED, false, NOW));
  }

  @Test
  void aDeclineOfTheLastAttemptQueuesNoMore() {
    assertEquals(Optional.empty(), schedule.afterDecline(4, FINALIZED, false, NOW));
    assertEquals(
        Optional.empty(), new RetrySchedule(List.of()).afterDecline(1, FINALIZED, false, NOW));
  }

  @Test
  void aDeclinedCardTheCustomerReplacedIsFollowedAtOnce_evenAfterTheLastAttempt() {
    assertEquals(Optional.of(NOW), schedule.afterDecline(1, FINALIZED, true, NOW));
    assertEquals(Optional.of(NOW), schedule.afterDecline(4, FINALIZED, true, NOW));
  }

  @Test
  void daysAreCountedInUtcAcrossAMonthEndAndALeapDay() {
    Instant february28 = Instant.parse("2028-02-28T01:00:00Z");
    assertEquals(
        Optional.of(Instant.parse("2028-02-29T01:00:00Z")),
        schedule.afterDecline(1, february28, false, NOW));
    assertEquals(
        Optional.of(Instant.parse("2028-03-02T01:00:00Z")),
        schedule.afterDecline(2, february28, false, NOW));
  }
}
