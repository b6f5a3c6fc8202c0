package io.streamspace.billing.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.streamspace.billing.rating.SliceCuts;
import io.streamspace.common.http.ApiException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A range's ends are checked against the records only where a slice can span them: a midnight
 * of the billing zone that is not a whole UTC hour (Asia/Kolkata's, 18:30 UTC). A whole UTC hour
 * is a cut in every zone, so a report's default month in UTC reads no records for it (at 76
 * million records that read took seconds).
 */
class TimeRangeTest {

  private static final SliceCuts KOLKATA = new SliceCuts(ZoneId.of("Asia/Kolkata"));

  @Test
  void wholeUtcHoursAreNeverAskedOfTheRecords() throws Exception {
    List<Instant> asked = new ArrayList<>();
    TimeRange range =
        new TimeRange(Instant.parse("2026-03-01T00:00:00Z"), Instant.parse("2026-04-01T00:00:00Z"));

    range.requireCuts(
        KOLKATA,
        instant -> {
          asked.add(instant);
          return true;
        });

    assertEquals(List.of(), asked);
  }

  @Test
  void aMidnightOffTheUtcHourIsAsked_andRefusedWhenASliceSpansIt() {
    Instant midnight = Instant.parse("2026-03-01T18:30:00Z"); // March 2 in Kolkata
    TimeRange range = new TimeRange(midnight, Instant.parse("2026-04-01T00:00:00Z"));

    ApiException refused =
        assertThrows(ApiException.class, () -> range.requireCuts(KOLKATA, midnight::equals));

    assertEquals("from", refused.error().field());
  }
}
