package io.streamspace.billing.rating;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunCutsTest {

  private static Instant at(String instant) {
    return Instant.parse(instant);
  }

  @Test
  void theCutsAreTheUtcHoursFromTheEarliestHourToPastTheCapWithTheMidnightsBetween() {
    // Kolkata (+05:30): midnight of the 15th is 18:30Z on the 14th, between two UTC hours
    RunCuts cuts =
        RunCuts.of(
            new SliceCuts(ZoneId.of("Asia/Kolkata")),
            at("2026-03-14T17:20:00Z"),
            at("2026-03-14T19:50:00Z"));

    assertEquals(
        List.of(
            at("2026-03-14T17:00:00Z"),
            at("2026-03-14T18:00:00Z"),
            at("2026-03-14T18:30:00Z"),
            at("2026-03-14T19:00:00Z"),
            at("2026-03-14T20:00:00Z")),
        cuts.all());
    assertEquals(at("2026-03-14T19:00:00Z"), cuts.lastAtOrBefore());
  }

  @Test
  void theLastCutBeforeTheCapIsAMidnightWhenOneFallsAfterItsHour() {
    // cap 18:40Z: its hour is 18:00Z, and Kolkata's midnight at 18:30Z comes after it
    RunCuts cuts =
        RunCuts.of(
            new SliceCuts(ZoneId.of("Asia/Kolkata")),
            at("2026-03-14T16:00:00Z"),
            at("2026-03-14T18:40:00Z"));

    assertEquals(at("2026-03-14T18:30:00Z"), cuts.lastAtOrBefore());
    assertEquals(at("2026-03-14T19:00:00Z"), cuts.all().get(cuts.all().size() - 1));
  }
}
