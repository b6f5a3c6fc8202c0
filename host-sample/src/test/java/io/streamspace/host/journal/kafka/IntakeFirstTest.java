package io.streamspace.host.journal.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.host.plugins.JournalLag;
import io.streamspace.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * When the journal's consumers rest so that intake goes first: twice a round's time (at most a
 * second) while intake appends or just appended, and only while they are caught up.
 */
class IntakeFirstTest {
  private static final Instant NOW = Instant.parse("2026-03-10T12:00:00Z");
  private static final Duration ROUND = Duration.ofMillis(120);

  private final MutableClock clock = new MutableClock(NOW);
  private final AtomicLong nanos = new AtomicLong(5_000_000_000L);
  private final IntakeFirst intakeFirst = new IntakeFirst(clock, nanos::get);

  @Test
  void whileABatchIsAppended_aCaughtUpConsumerRestsTwiceAsLongAsItsRoundTook() {
    intakeFirst.appending();
    assertEquals(Duration.ofMillis(240), intakeFirst.restAfter(ROUND, NOW.minusSeconds(29)));
  }

  @Test
  void justAfterABatch_itStillRests_andNoLongerOnceIntakeHasBeenQuiet100Ms() {
    intakeFirst.appending();
    intakeFirst.appended();
    nanos.addAndGet(Duration.ofMillis(99).toNanos());
    assertEquals(Duration.ofMillis(240), intakeFirst.restAfter(ROUND, NOW));

    nanos.addAndGet(Duration.ofMillis(1).toNanos());
    assertEquals(Duration.ZERO, intakeFirst.restAfter(ROUND, NOW));
  }

  @Test
  void aConsumerWhoseRoundBeganWithARecordJournaled30SecondsAgo_doesNotRest() {
    intakeFirst.appending();
    assertEquals(
        Duration.ZERO, intakeFirst.restAfter(ROUND, NOW.minus(JournalLag.CAUGHT_UP)), "30 s");
    assertEquals(Duration.ZERO, intakeFirst.restAfter(ROUND, NOW.minusSeconds(600)), "10 min");
  }

  @Test
  void aRestIsASecondAtMost_howeverLongItsRoundTook() {
    intakeFirst.appending();
    assertEquals(Duration.ofSeconds(1), intakeFirst.restAfter(Duration.ofMillis(501), NOW));
    assertEquals(Duration.ofSeconds(1), intakeFirst.restAfter(Duration.ofSeconds(20), NOW));
  }

  @Test
  void onANodeWhoseIntakeNeverAppended_noConsumerRests() {
    assertEquals(Duration.ZERO, intakeFirst.restAfter(ROUND, NOW));
  }
}
