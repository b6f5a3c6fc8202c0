package io.streamspace.benchmark;

import java.io.IOException;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.postgresql.PGConnection;

/**
 * What a calculate-usage run costs against its baseline: its own time, from its result's message
 * (the billing plugin's {@code RatingReport}: what it would take without its pacing, the pauses
 * between its rounds of chunks and its lanes' waits for each round's last chunk), and a {@code
 * COPY} of as many
 * rows into a fresh table shaped like the usage records (its key and indexes included), dropped
 * once timed.
 */
final class RatingCost {

  private static final Pattern OWN = Pattern.compile("(\\d+) ms of its own");
  private static final Pattern INSERTED = Pattern.compile("inserted (\\d+) usage records");

  private static final String COPY_TABLE =
      """
      DROP TABLE IF EXISTS bench_usage_copy;
      CREATE TABLE bench_usage_copy (LIKE billing_usage_records INCLUDING ALL)
      """;

  private RatingCost() {}

  /** The run's own time, from its message ("...: N ms of its own, M ms paused ..."). */
  static Duration own(String message) {
    return Duration.ofMillis(number(OWN, message, "its own time"));
  }

  /** The usage records the run inserted, from its message ("inserted N usage records; ..."). */
  static long inserted(String message) {
    return number(INSERTED, message, "what it inserted");
  }

  /** The number {@code pattern} finds in the run's message. */
  private static long number(Pattern pattern, String message, String what) {
    Matcher found = pattern.matcher(message == null ? "" : message);
    if (!found.find()) {
      throw new IllegalStateException("calculate-usage did not say " + what + ": " + message);
    }
    return Long.parseLong(found.group(1));
  }

  /** COPY of {@code rows} rows like the job's into a fresh table shaped like the records. */
  static Duration copy(DataSource dataSource, long rows, Instant from, Instant to)
      throws SQLException, IOException {
    String[][] resources = {
      {"cpu", "3600", "core-hours", "0.05"},
      {"memory", "7200", "gb-hours", "0.01"},
      {"storage", "36000", "gb-months", "0.10"}
    };
    StringBuilder text = new StringBuilder();
    for (long i = 0; i < rows; i++) {
      String[] r = resources[(int) (i % 3)];
      boolean storage = i % 3 == 2;
      text.append("bu")
          .append(i / 3)
          .append('\t')
          .append(storage ? "" : "bs" + i / 3)
          .append('\t')
          .append(r[0])
          .append('\t')
          .append(from)
          .append('\t')
          .append(to)
          .append('\t')
          .append(r[1])
          .append('\t')
          .append(r[2])
          .append('\t')
          .append(r[3])
          .append("\tUSD\t")
          .append(to)
          .append("\t1\n"); // the rating run, as the job stamps its records
    }
    try (Connection connection = dataSource.getConnection()) {
      try (Statement statement = connection.createStatement()) {
        statement.execute(COPY_TABLE);
      }
      long start = System.nanoTime();
      long copied =
          connection
              .unwrap(PGConnection.class)
              .getCopyAPI()
              .copyIn(
                  "COPY bench_usage_copy (user_id, session_id, resource_type, slice_start,"
                      + " slice_end, unit_seconds, unit, unit_price, currency, created_at,"
                      + " rating_run)"
                      + " FROM STDIN",
                  new StringReader(text.toString()));
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      if (copied != rows) {
        throw new IllegalStateException("COPY wrote %d of %d rows".formatted(copied, rows));
      }
      // no rows left for autovacuum's worker to wake to beside what runs next
      try (Statement statement = connection.createStatement()) {
        statement.execute("DROP TABLE bench_usage_copy");
      }
      return took;
    }
  }
}
