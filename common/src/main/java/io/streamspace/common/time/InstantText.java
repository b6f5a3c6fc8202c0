package io.streamspace.common.time;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * {@link Instant#toString()} without its general formatter, for the paths that write an instant
 * per event (intake's journaled bodies and columns, metering's batches): there the formatter took
 * a few percent of the host's CPU. The text is exactly {@code toString()}'s (UTC, seconds always,
 * the fraction in groups of three digits, none when zero).
 */
public final class InstantText {

  private static final long FIRST_OF_YEAR_0 =
      Instant.parse("0000-01-01T00:00:00Z").getEpochSecond();
  private static final long FIRST_OF_YEAR_10000 =
      Instant.parse("+10000-01-01T00:00:00Z").getEpochSecond();

  private InstantText() {}

  /** {@code instant.toString()}. */
  public static String of(Instant instant) {
    long seconds = instant.getEpochSecond();
    if (seconds < FIRST_OF_YEAR_0 || seconds >= FIRST_OF_YEAR_10000) {
      return instant.toString(); // years of other than four digits take a sign
    }
    LocalDateTime utc = LocalDateTime.ofEpochSecond(seconds, 0, ZoneOffset.UTC);
    int nanos = instant.getNano();
    char[] text = new char[30];
    put(text, 0, utc.getYear(), 4);
    text[4] = '-';
    put(text, 5, utc.getMonthValue(), 2);
    text[7] = '-';
    put(text, 8, utc.getDayOfMonth(), 2);
    text[10] = 'T';
    put(text, 11, utc.getHour(), 2);
    text[13] = ':';
    put(text, 14, utc.getMinute(), 2);
    text[16] = ':';
    put(text, 17, utc.getSecond(), 2);
    int end = 19;
    if (nanos != 0) {
      text[end++] = '.';
      if (nanos % 1_000_000 == 0) {
        put(text, end, nanos / 1_000_000, 3);
        end += 3;
      } else if (nanos % 1_000 == 0) {
        put(text, end, nanos / 1_000, 6);
        end += 6;
      } else {
        put(text, end, nanos, 9);
        end += 9;
      }
    }
    text[end++] = 'Z';
    return new String(text, 0, end);
  }

  /** {@code value} in {@code digits} decimal digits, zero-padded, at {@code at}. */
  private static void put(char[] text, int at, int value, int digits) {
    for (int i = at + digits - 1; i >= at; i--) {
      text[i] = (char) ('0' + value % 10);
      value /= 10;
    }
  }
}
