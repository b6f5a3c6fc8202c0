package io.streamspace.billing.forecast;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The forecast held against what happened, over synthetic organizations: how often the p10–p90
 * range holds a period's actual total, and how often the p50 path crosses a budget within a day
 * of when the actual spend does. Pure and seeded, so a seed always gives the same figures; run by
 * the benchmark's {@code forecast-backtest} workload and by its test.
 *
 * <p>Each organization spends each day its level (10 to 100) × its weekday's factor (0.7 to 1.3
 * Monday to Friday, 0 to 0.6 at the weekend) × a noise of 1 + σ × a standard normal (never
 * below 0), σ from 0.05 to 0.3 an organization: stationary, without trend or level shifts, which
 * would widen the real error. Its billing period is March 2026 (UTC, invoice day 1: 31 days from
 * Sunday 1 March); the forecast is made at a random hour of a random day from the 3rd to the
 * 25th, from the spend so far (its days before, and the part of the day gone) and the 28 whole
 * days before that day. Its budget is crossed in the period: the spend so far plus 20 to 90 % of
 * what the rest of the period then actually costs. The actual spend is taken as even within a
 * day, as the p50 path is.
 */
public final class ForecastBacktest {

  private static final LocalDate PERIOD_START = LocalDate.of(2026, 3, 1);
  private static final int PERIOD_DAYS = 31;
  private static final int SCALE = Forecast.SCALE;

  /**
   * What a backtest found.
   *
   * @param covered the periods whose actual total lies within p10–p90 (bounds included)
   * @param onTime the budgets the p50 path crossed within a day of the actual crossing
   */
  public record Result(int periods, int covered, int onTime) {

    /** The share of periods whose total p10–p90 held, in percent. */
    public double coveragePercent() {
      return 100.0 * covered / periods;
    }

    /** The share of crossings forecast within a day, in percent. */
    public double onTimePercent() {
      return 100.0 * onTime / periods;
    }
  }

  private ForecastBacktest() {}

  /** The backtest of {@code periods} synthetic organizations drawn from {@code seed}. */
  public static Result run(int periods, long seed) {
    Random random = new Random(seed);
    int covered = 0;
    int onTime = 0;
    for (int i = 0; i < periods; i++) {
      Organization org = Organization.drawn(random);
      int day = 2 + random.nextInt(23); // 0-based: the 3rd to the 25th
      int hour = random.nextInt(24);
      Instant now = instant(PERIOD_START.plusDays(day)).plus(Duration.ofHours(hour));
      BigDecimal share =
          BigDecimal.valueOf(hour).divide(BigDecimal.valueOf(24), SCALE, RoundingMode.HALF_EVEN);
      BigDecimal soFar = org.spent(0, day).add(org.cost(day).multiply(share));
      BigDecimal total = org.spent(0, PERIOD_DAYS);
      SortedMap<LocalDate, BigDecimal> history = new TreeMap<>();
      for (int back = Forecast.HISTORY_DAYS; back >= 1; back--) {
        history.put(PERIOD_START.plusDays(day - back), org.cost(day - back));
      }
      Forecast forecast =
          Forecast.of(
              soFar,
              history,
              now,
              instant(PERIOD_START.plusDays(PERIOD_DAYS)),
              ZoneOffset.UTC,
              random.nextLong());
      if (forecast.p10().compareTo(total) <= 0 && total.compareTo(forecast.p90()) <= 0) {
        covered++;
      }
      BigDecimal budget =
          soFar.add(
              total
                  .subtract(soFar)
                  .multiply(BigDecimal.valueOf(20 + random.nextInt(71)))
                  .movePointLeft(2));
      Optional<Instant> forecastCrossing = forecast.crossing(budget);
      Instant actualCrossing = org.crossing(budget);
      if (forecastCrossing.isPresent()
          && Duration.between(forecastCrossing.get(), actualCrossing).abs().toSeconds()
              <= Duration.ofDays(1).toSeconds()) {
        onTime++;
      }
    }
    return new Result(periods, covered, onTime);
  }

  private static Instant instant(LocalDate date) {
    return date.atStartOfDay(ZoneOffset.UTC).toInstant();
  }

  /** A synthetic organization's daily costs from 28 days before the period to its end. */
  private record Organization(BigDecimal[] costs) {

    private static final int OFFSET = Forecast.HISTORY_DAYS;

    static Organization drawn(Random random) {
      double level = 10 + 90 * random.nextDouble();
      double sigma = 0.05 + 0.25 * random.nextDouble();
      double[] factors = new double[7];
      for (int w = 0; w < 7; w++) {
        // index 0 is Monday
        factors[w] = w < 5 ? 0.7 + 0.6 * random.nextDouble() : 0.6 * random.nextDouble();
      }
      BigDecimal[] costs = new BigDecimal[OFFSET + PERIOD_DAYS];
      for (int d = 0; d < costs.length; d++) {
        int weekday = PERIOD_START.plusDays(d - OFFSET).getDayOfWeek().getValue() - 1;
        double cost = level * factors[weekday] * Math.max(0, 1 + sigma * random.nextGaussian());
        // drawn as a double (a made-up history, not money the plugin computes), kept in cents
        costs[d] = BigDecimal.valueOf(cost).setScale(2, RoundingMode.HALF_UP);
      }
      return new Organization(costs);
    }

    /** The cost of the period's day {@code day} (0-based; negative: before the period). */
    BigDecimal cost(int day) {
      return costs[OFFSET + day];
    }

    /** The cost of the period's days {@code [from, to)}. */
    BigDecimal spent(int from, int to) {
      BigDecimal sum = BigDecimal.ZERO;
      for (int d = from; d < to; d++) {
        sum = sum.add(cost(d));
      }
      return sum;
    }

    /** When the actual spend, even within each day, reaches {@code amount} in the period. */
    Instant crossing(BigDecimal amount) {
      BigDecimal spent = BigDecimal.ZERO;
      for (int d = 0; d < PERIOD_DAYS; d++) {
        BigDecimal after = spent.add(cost(d));
        if (after.compareTo(amount) >= 0) {
          long into =
              amount
                  .subtract(spent)
                  .multiply(BigDecimal.valueOf(Duration.ofDays(1).toSeconds()))
                  .divide(cost(d), 0, RoundingMode.CEILING)
                  .longValueExact();
          return instant(PERIOD_START.plusDays(d)).plusSeconds(into);
        }
        spent = after;
      }
      return instant(PERIOD_START.plusDays(PERIOD_DAYS));
    }
  }
}
