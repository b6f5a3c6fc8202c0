package io.streamspace.common.time;

import java.time.Instant;
import java.time.LocalDate;

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

  private static final int SECONDS_PER_DAY = 86_400;

  /** A day's date as text ({@code 2026-03-02}), with the day since the epoch it is. */
  private record Day(long epochDay, char[] date) {}

  // the last day written: an intake batch's instants mostly share one, and working a date out of
  // a day number (LocalDate.ofEpochDay) was most of this class's cost. A race only writes a day
  // twice.
  private static volatile Day lastDay = new Day(Long.MIN_VALUE, new char[0]);

  private InstantText() {}

  /** {@code instant.toString()}. */
  public static String of(Instant instant) {
    long seconds = instant.getEpochSecond();
    if (seconds < FIRST_OF_YEAR_0 || seconds >= FIRST_OF_YEAR_10000) {
      return instant.toString(); // years of other than four digits take a sign
    }
    long epochDay = Math.floorDiv(seconds, SECONDS_PER_DAY);
    int secondOfDay = (int) Math.floorMod(seconds, SECONDS_PER_DAY);
    int nanos = instant.getNano();
    char[] text = new char[30];
    System.arraycopy(day(epochDay).date(), 0, text, 0, 10);
    text[10] = 'T';
    put(text, 11, secondOfDay / 3600, 2);
    text[13] = ':';
    put(text, 14, secondOfDay / 60 % 60, 2);
    text[16] = ':';
    put(text, 17, secondOfDay % 60, 2);
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

  private static Day day(long epochDay) {
    Day day = lastDay;
    if (day.epochDay() != epochDay) {
      LocalDate date = LocalDate.ofEpochDay(epochDay);
      char[] text = new char[10];
      put(text, 0, date.getYear(), 4);
      text[4] = '-';
      put(text, 5, date.getMonthValue(), 2);
      text[7] = '-';
      put(text, 8, date.getDayOfMonth(), 2);
      day = new Day(epochDay, text);
      lastDay = day;
    }
    return day;
  }

  /** {@code value} in {@code digits} decimal digits, zero-padded, at {@code at}. */
  private static void put(char[] text, int at, int value, int digits) {
    for (int i = at + digits - 1; i >= at; i--) {
      text[i] = (char) ('0' + value % 10);
      value /= 10;
    }
  }
}
