package io.streamspace.host.jobs;

import java.text.ParseException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.quartz.CronExpression;

/**
 * Turns the API's five-field Unix cron ({@code minute hour day-of-month month day-of-week}) into
 * a Quartz expression: a leading seconds field {@code 0}, {@code ?} in whichever day field is
 * unrestricted (Quartz wants exactly one), and day-of-week numbers 0-7 (0 and 7 are Sunday) as
 * Quartz's names {@code SUN}-{@code SAT} (Quartz numbers Sunday 1).
 */
public final class CronTranslator {

  private static final String[] DAY_NAMES = {
    "SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"
  };
  private static final Pattern ALLOWED = Pattern.compile("[0-9A-Za-z*,/-]+");
  private static final Pattern NUMBER = Pattern.compile("\\d+");
  private static final Pattern STEP = Pattern.compile("/([^,]*)");
  private static final Pattern POSITIVE = Pattern.compile("0*[1-9]\\d*");

  private CronTranslator() {}

  /**
   * The Quartz form of a Unix cron.
   *
   * @throws IllegalArgumentException saying why the expression is not valid
   */
  public static String toQuartz(String unixCron) {
    if (unixCron == null || unixCron.isBlank()) {
      throw new IllegalArgumentException("cron expression is empty");
    }
    String[] fields = unixCron.trim().split("\\s+");
    if (fields.length != 5) {
      throw new IllegalArgumentException(
          "cron needs five fields (minute hour day-of-month month day-of-week), got "
              + fields.length);
    }
    for (String field : fields) {
      if (!ALLOWED.matcher(field).matches()) {
        throw new IllegalArgumentException("cron field '" + field + "' has unsupported characters");
      }
      requirePositiveSteps(field);
    }
    String dayOfMonth = fields[2];
    String dayOfWeek = dayOfWeekToQuartz(fields[4]);
    if (!"*".equals(dayOfMonth) && !"*".equals(fields[4])) {
      throw new IllegalArgumentException("cron may restrict day-of-month or day-of-week, not both");
    }
    if ("*".equals(fields[4])) {
      dayOfWeek = "?";
    } else {
      dayOfMonth = "?";
    }
    String quartz =
        String.join(
            " ",
            "0",
            fields[0],
            fields[1],
            dayOfMonth,
            fields[3].toUpperCase(Locale.ROOT),
            dayOfWeek);
    try {
      CronExpression.validateExpression(quartz);
    } catch (ParseException e) {
      throw new IllegalArgumentException("cron '" + unixCron + "' is not valid: " + e.getMessage());
    }
    return quartz;
  }

  /** Why a Unix cron is not valid, or empty when it is. */
  public static Optional<String> problem(String unixCron) {
    try {
      toQuartz(unixCron);
      return Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.of(e.getMessage());
    }
  }

  /**
   * Refuses a step of 0 (or none after the slash): Quartz accepts {@code *}{@code /0} and reads
   * it as no step, firing every minute, which no one who wrote {@code /0} meant.
   */
  private static void requirePositiveSteps(String field) {
    Matcher step = STEP.matcher(field);
    while (step.find()) {
      if (!POSITIVE.matcher(step.group(1)).matches()) {
        throw new IllegalArgumentException(
            "cron field '"
                + field
                + "' has the step /"
                + step.group(1)
                + ": a step must be 1 or more");
      }
    }
  }

  /** Maps every number of a day-of-week field (lists, ranges, steps) to a Quartz day name. */
  private static String dayOfWeekToQuartz(String field) {
    StringBuilder out = new StringBuilder();
    for (String item : field.split(",", -1)) {
      if (out.length() > 0) {
        out.append(',');
      }
      String[] rangeAndStep = item.split("/", 2);
      out.append(mapRange(rangeAndStep[0]));
      if (rangeAndStep.length == 2) {
        out.append('/').append(rangeAndStep[1]);
      }
    }
    return out.toString();
  }

  private static String mapRange(String range) {
    if ("*".equals(range)) {
      return range;
    }
    String[] ends = range.split("-", -1);
    StringBuilder out = new StringBuilder();
    for (String end : ends) {
      if (out.length() > 0) {
        out.append('-');
      }
      out.append(dayName(end));
    }
    return out.toString();
  }

  private static String dayName(String day) {
    if (!NUMBER.matcher(day).matches()) {
      return day.toUpperCase(Locale.ROOT);
    }
    int number = Integer.parseInt(day);
    if (number > 7) {
      throw new IllegalArgumentException("day-of-week " + day + " is outside 0-7");
    }
    return DAY_NAMES[number];
  }
}
