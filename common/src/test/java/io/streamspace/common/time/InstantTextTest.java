package io.streamspace.common.time;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** InstantText writes exactly what {@link Instant#toString()} does. */
class InstantTextTest {

  @Test
  void writesWhatToStringWritesAtTheEdgesOfTheForm() {
    for (Instant instant :
        List.of(
            Instant.EPOCH,
            Instant.parse("2025-01-31T12:00:00Z"),
            Instant.parse("2025-01-31T12:00:00.100Z"),
            Instant.parse("2025-01-31T12:00:00.000100Z"),
            Instant.parse("2025-01-31T12:00:00.000000100Z"),
            Instant.parse("2024-02-29T23:59:59.999999999Z"),
            Instant.parse("0000-01-01T00:00:00Z"),
            Instant.parse("0000-01-01T00:00:00Z").minusNanos(1),
            Instant.parse("9999-12-31T23:59:59.999999Z"),
            Instant.parse("+10000-01-01T00:00:00Z"),
            Instant.MIN,
            Instant.MAX)) {
      assertEquals(instant.toString(), InstantText.of(instant));
    }
  }

  @Test
  void writesWhatToStringWritesForRandomInstants() {
    Random random = new Random(27);
    long from = Instant.parse("-0100-01-01T00:00:00Z").getEpochSecond();
    long to = Instant.parse("+10100-01-01T00:00:00Z").getEpochSecond();
    for (int i = 0; i < 100_000; i++) {
      long seconds = from + (long) (random.nextDouble() * (to - from));
      int nanos =
          switch (random.nextInt(4)) {
            case 0 -> 0;
            case 1 -> random.nextInt(1_000) * 1_000_000;
            case 2 -> random.nextInt(1_000_000) * 1_000;
            default -> random.nextInt(1_000_000_000);
          };
      Instant instant = Instant.ofEpochSecond(seconds, nanos);
      assertEquals(instant.toString(), InstantText.of(instant));
    }
  }
}
