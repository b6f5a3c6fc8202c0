package io.streamspace.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class MutableClockTest {

  private static final Instant NOON = Instant.parse("2026-03-10T12:00:00Z");

  @Test
  void startsInUtcAndMovesOnlyWhenTheTestMovesIt() {
    MutableClock clock = new MutableClock(NOON);
    assertEquals(ZoneOffset.UTC, clock.getZone());
    assertEquals(NOON, clock.instant());

    clock.advance(Duration.ofMinutes(90));
    assertEquals(NOON.plusSeconds(5400), clock.instant());
    clock.set(NOON);
    assertEquals(NOON, clock.instant());
  }

  @Test
  void aClockInAnotherZoneSharesTheInstantAndMovesWithIt() {
    MutableClock clock = new MutableClock(NOON);
    Clock kolkata = clock.withZone(ZoneId.of("Asia/Kolkata"));
    assertEquals(ZoneId.of("Asia/Kolkata"), kolkata.getZone());
    assertEquals(LocalDateTime.parse("2026-03-10T17:30"), LocalDateTime.now(kolkata));

    clock.advance(Duration.ofHours(7));
    assertEquals(NOON.plus(Duration.ofHours(7)), kolkata.instant());
    assertEquals(LocalDateTime.parse("2026-03-11T00:30"), LocalDateTime.now(kolkata));
    // and the other way round: moving the zoned clock moves the original
    ((MutableClock) kolkata).set(NOON);
    assertEquals(NOON, clock.instant());
  }
}
