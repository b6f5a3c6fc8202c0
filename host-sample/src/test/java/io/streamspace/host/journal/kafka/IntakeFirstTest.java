package io.streamspace.host.journal.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * When the journal's consumers rest so that intake goes first: twice a round's time (at most a
 * second) while intake journals a batch or just journaled one, and only within 30 s of the
 * journal's end.
 */
class IntakeFirstTest {
  private static final Instant NOW = Instant.parse("2026-03-10T12:00:00Z");
  private static final Duration ROUND = Duration.ofMillis(120);

  private final MutableClock clock = new MutableClock(NOW);
  private final AtomicLong nanos = new AtomicLong();
  private final IntakeFirst intakeFirst = new IntakeFirst(clock, nanos::get, true);

  @Test
  void whileABatchIsJournaled_aConsumerRestsTwiceAsLongAsItsRoundTook() {
    Duration rest =
        intakeFirst.journaling(() -> intakeFirst.restAfter(ROUND, () -> NOW.minusSeconds(29)));
    assertEquals(Duration.ofMillis(240), rest);
  }

  @Test
  void justAfterABatch_itStillRests_andNoLongerOnceIntakeHasBeenQuiet100Ms() {
    intakeFirst.journaling(() -> null);
    nanos.addAndGet(Duration.ofMillis(99).toNanos());
    assertEquals(Duration.ofMillis(240), intakeFirst.restAfter(ROUND, () -> NOW));

    nanos.addAndGet(Duration.ofMillis(1).toNanos());
    assertEquals(Duration.ZERO, intakeFirst.restAfter(ROUND, () -> NOW));
  }

  @Test
  void aConsumerWhoseRoundBeganWithARecordJournaled30SecondsAgo_doesNotRest() {
    intakeFirst.journaling(
        () -> {
          assertEquals(
              Duration.ZERO, intakeFirst.restAfter(ROUND, () -> NOW.minusSeconds(30)), "30 s");
          assertEquals(
              Duration.ZERO, intakeFirst.restAfter(ROUND, () -> NOW.minusSeconds(600)), "10 min");
          return null;
        });
  }

  @Test
  void switchedOff_aConsumerNeverRests_evenWhileABatchIsJournaled() {
    IntakeFirst off = new IntakeFirst(clock, nanos::get, false);
    assertEquals(Duration.ZERO, off.journaling(() -> off.restAfter(ROUND, () -> NOW)));
  }

  @Test
  void aRestIsASecondAtMost_howeverLongItsRoundTook() {
    intakeFirst.journaling(
        () -> {
          assertEquals(
              Duration.ofSeconds(1), intakeFirst.restAfter(Duration.ofMillis(501), () -> NOW));
          assertEquals(
              Duration.ofSeconds(1), intakeFirst.restAfter(Duration.ofSeconds(20), () -> NOW));
          return null;
        });
  }

  @Test
  void onANodeWhoseIntakeNeverJournaled_noConsumerRests() {
    assertEquals(Duration.ZERO, intakeFirst.restAfter(ROUND, () -> NOW));
  }
}
