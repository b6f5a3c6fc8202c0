package io.streamspace.billing.forecast;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.SortedMap;

/**
 * What a billing period will have cost by its end, with a range, from what it cost so far and
 * from its subject's own recent days. Pure: it reads nothing and rounds nothing that is shown
 * (the caller rounds each figure once, by {@link io.streamspace.billing.money.Money}'s rule).
 *
 * <p><b>The profile.</b> The history is the subject's cost of each of its last whole days (up to
 * {@link #HISTORY_DAYS}). A weekday's level is the mean of its days in the history; a day of the
 * history shows its weekday's noise as its cost over that level, a <i>relative residual</i>,
 * widened about 1 (never below 0), since the spread of a few days understates the spread of the
 * days to come: by {@code √(n / (n − 1))} for a weekday of {@code n ≥ 2} days (Bessel's
 * correction; a weekday of one day shows no spread), and by {@code 1 + (z² + 1) / (4 df)}, z the
 * normal's 90th percentile and {@code df} the history's days less its weekdays (Student's t over
 * the normal at the range's bounds, by Cornish–Fisher's first term: 1.031 for 28 days). A
 * weekday without a day in the history takes the mean of every day.
 *
 * <p><b>The draws.</b> The time left, from {@code from} to the period's end, is cut at midnights in
 * the zone into stretches: a whole day, or the part of one (the share of its seconds, so a DST
 * day counts its 23 or 25 hours). Each of {@link #DRAWS} draws first draws each weekday's level
 * again as its level × the mean of {@code n} residuals drawn from all of them (what a level
 * known from {@code n} days may really be), then each stretch's cost as its weekday's drawn
 * level × one residual drawn from all of them × the stretch's share. A draw's path is what it
 * adds by the end of each stretch. Residuals are drawn uniformly, with replacement, by {@link
 * Random} seeded by the caller, so the same inputs always give the same answer.
 *
 * <p><b>The answer.</b> {@code p10}, {@code p50} and {@code p90} are what was spent so far plus
 * the nearest-rank 10th, 50th and 90th percentiles of what the draws add by the period's end
 * (of {@value #DRAWS} sums sorted, the 100th, 500th and 900th). The p50 path is the median of
 * the draws' paths at the end of each stretch, which never decreases. An amount is crossed at
 * {@code from} when the spend so far has reached it, else where the p50 path (plus the spend)
 * reaches it, the path taken as straight within a stretch, to the second; not at all when the
 * path ends under it.
 *
 * <p>A history whose days are all alike has residuals of exactly 1, so every draw is the same
 * path and the range closes to one figure: 28 days of 10.00 with 3.5 days left give 35.00 more
 * at p10, p50 and p90 alike, and a budget 20.00 above the spend is crossed 2 days after {@code
 * from}. An empty history adds nothing.
 *
 * <p>An instance answers one caller: it keeps the medians its crossings asked for.
 */
public final class Forecast {

  /** How many paths are drawn. */
  public static final int DRAWS = 1_000;

  /** How many of the last whole days make the history. */
  public static final int HISTORY_DAYS = 28;

  /**
   * The decimals of levels, residuals and shares: far below any currency's minor unit, and few
   * enough that a draw's products and sums of everyday amounts fit in a {@code long}
   * (BigDecimal's fast path; larger ones are as exact, only slower).
   */
  static final int SCALE = 6;

  /** The decimals of the draws' costs and paths: a level's and a residual's together. */
  private static final int PATH_SCALE = 2 * SCALE;

  /** {@code (z² + 1) / 4} for the normal's 90th percentile z = 1.2815516. */
  private static final BigDecimal T_TERM = new BigDecimal("0.6605936");

  private static final DayOfWeek[] WEEKDAYS = DayOfWeek.values();

  private static final int P10 = rank(10);
  private static final int P50 = rank(50);
  private static final int P90 = rank(90);

  /** A part of the time left inside one day of the zone. */
  private record Stretch(DayOfWeek weekday, Instant start, Instant end, BigDecimal share) {}

  private final BigDecimal soFar;
  private final Instant from;
  private final List<Stretch> stretches;
  private final Map<DayOfWeek, BigDecimal> profile;
  // what each draw adds by each stretch's end, and (sorted) by the period's end
  private final BigDecimal[][] paths;
  private final BigDecimal[] addedAtEnd;
  // the p50 path, each stretch's median taken when a crossing first needs it (a few of them)
  private final BigDecimal[] medianPath;

  private Forecast(
      BigDecimal soFar,
      Instant from,
      List<Stretch> stretches,
      Map<DayOfWeek, BigDecimal> profile,
      BigDecimal[][] paths) {
    this.soFar = soFar;
    this.from = from;
    this.stretches = stretches;
    this.profile = profile;
    this.paths = paths;
    this.addedAtEnd = column(paths, stretches.size() - 1);
    this.medianPath = new BigDecimal[stretches.size()];
  }

  /**
   * @param soFar what the period cost up to {@code from}
   * @param history the cost of each whole day of the history, by its date in {@code zone} (days
   *     without usage included, as zero)
   * @param from where the forecast starts (now)
   * @param periodEnd the period's end
   * @param seed the draws' seed
   */
  public static Forecast of(
      BigDecimal soFar,
      SortedMap<LocalDate, BigDecimal> history,
      Instant from,
      Instant periodEnd,
      ZoneId zone,
      long seed) {
    List<Stretch> stretches = stretches(from, periodEnd, zone);
    Profile profile = Profile.of(history);
    BigDecimal[][] paths = draw(profile, stretches, new Random(seed));
    return new Forecast(soFar, from, stretches, profile.levels(), paths);
  }

  /** What the draws add by the end of stretch {@code s}, sorted; zeros before the first. */
  private static BigDecimal[] column(BigDecimal[][] paths, int s) {
    BigDecimal[] column = new BigDecimal[DRAWS];
    for (int d = 0; d < DRAWS; d++) {
      column[d] = s < 0 ? BigDecimal.ZERO : paths[d][s];
    }
    Arrays.sort(column);
    return column;
  }

  /**
   * Whether the p50 path has added {@code amount} by the end of stretch {@code s}: whether no
   * more draws than the median's rank are still under it (a count, no sort).
   */
  private boolean reaches(int s, BigDecimal amount) {
    int under = 0;
    for (int d = 0; d < DRAWS; d++) {
      if (paths[d][s].compareTo(amount) < 0) {
        under++;
      }
    }
    return under <= P50;
  }

  /** The p50 path at the end of stretch {@code s}. */
  private BigDecimal median(int s) {
    if (medianPath[s] == null) {
      medianPath[s] = column(paths, s)[P50];
    }
    return medianPath[s];
  }

  /** The 10th percentile of the period's total: the spend so far and the least 10 % added. */
  public BigDecimal p10() {
    return soFar.add(addedAtEnd[P10]);
  }

  /** The median of the period's total. */
  public BigDecimal p50() {
    return soFar.add(addedAtEnd[P50]);
  }

  /** The 90th percentile of the period's total. */
  public BigDecimal p90() {
    return soFar.add(addedAtEnd[P90]);
  }

  /** What the period cost up to {@code from}. */
  public BigDecimal soFar() {
    return soFar;
  }

  /** Each weekday's level: the mean cost of its days in the history (zero without history). */
  public Map<DayOfWeek, BigDecimal> profile() {
    return profile;
  }

  /**
   * When the spend reaches {@code amount} on the p50 path: {@code from} if it has already, empty
   * if the path ends under it (class comment).
   */
  public Optional<Instant> crossing(BigDecimal amount) {
    BigDecimal left = amount.subtract(soFar);
    if (left.signum() <= 0) {
      return Optional.of(from);
    }
    int last = stretches.size() - 1;
    if (last < 0 || !reaches(last, left)) {
      return Optional.empty();
    }
    // the first stretch whose end the path reaches it by: the path never decreases
    int low = 0;
    int high = last;
    while (low < high) {
      int mid = (low + high) >>> 1;
      if (reaches(mid, left)) {
        high = mid;
      } else {
        low = mid + 1;
      }
    }
    Stretch stretch = stretches.get(low);
    BigDecimal before = low == 0 ? BigDecimal.ZERO : median(low - 1);
    long seconds = Duration.between(stretch.start(), stretch.end()).toSeconds();
    long into =
        left.subtract(before)
            .multiply(BigDecimal.valueOf(seconds))
            .divide(median(low).subtract(before), 0, RoundingMode.CEILING)
            .longValueExact();
    return Optional.of(stretch.start().plusSeconds(into));
  }

  /** The time left cut at the zone's midnights, each stretch with its share of its day. */
  private static List<Stretch> stretches(Instant from, Instant periodEnd, ZoneId zone) {
    List<Stretch> stretches = new ArrayList<>();
    LocalDate day = from.atZone(zone).toLocalDate();
    Instant start = from;
    while (start.isBefore(periodEnd)) {
      Instant dayStart = day.atStartOfDay(zone).toInstant();
      Instant dayEnd = day.plusDays(1).atStartOfDay(zone).toInstant();
      Instant end = dayEnd.isBefore(periodEnd) ? dayEnd : periodEnd;
      BigDecimal share =
          BigDecimal.valueOf(Duration.between(start, end).toSeconds())
              .divide(
                  BigDecimal.valueOf(Duration.between(dayStart, dayEnd).toSeconds()),
                  SCALE,
                  RoundingMode.HALF_EVEN);
      stretches.add(new Stretch(day.getDayOfWeek(), start, end, share));
      start = end;
      day = day.plusDays(1);
    }
    return stretches;
  }

  /** Each draw's path: what it adds by the end of each stretch (class comment). */
  private static BigDecimal[][] draw(Profile profile, List<Stretch> stretches, Random random) {
    BigDecimal[][] paths = new BigDecimal[DRAWS][stretches.size()];
    for (int d = 0; d < DRAWS; d++) {
      BigDecimal[] levels = profile.drawnLevels(random);
      BigDecimal added = BigDecimal.ZERO.setScale(PATH_SCALE);
      for (int s = 0; s < stretches.size(); s++) {
        Stretch stretch = stretches.get(s);
        BigDecimal level = levels[stretch.weekday().ordinal()];
        if (level.signum() > 0) {
          BigDecimal cost = level.multiply(profile.residual(random));
          if (stretch.share().compareTo(BigDecimal.ONE) != 0) {
            cost = cost.multiply(stretch.share()).setScale(PATH_SCALE, RoundingMode.HALF_EVEN);
          }
          added = added.add(cost);
        }
        paths[d][s] = added;
      }
    }
    return paths;
  }

  /** The index of the nearest-rank percentile {@code p} of {@link #DRAWS} sorted values. */
  private static int rank(int percent) {
    return (DRAWS * percent + 99) / 100 - 1;
  }

  /**
   * The weekday levels (a weekday without a day in the history at the mean of every day), how
   * many days each stands for, and the pooled relative residuals of a history (class comment).
   */
  private record Profile(
      Map<DayOfWeek, BigDecimal> levels, Map<DayOfWeek, Integer> days, BigDecimal[] residuals) {

    static Profile of(SortedMap<LocalDate, BigDecimal> history) {
      Map<DayOfWeek, List<BigDecimal>> byWeekday = new EnumMap<>(DayOfWeek.class);
      history.forEach(
          (date, cost) ->
              byWeekday.computeIfAbsent(date.getDayOfWeek(), w -> new ArrayList<>()).add(cost));
      List<BigDecimal> residuals = new ArrayList<>();
      Map<DayOfWeek, BigDecimal> levels = new EnumMap<>(DayOfWeek.class);
      Map<DayOfWeek, Integer> days = new EnumMap<>(DayOfWeek.class);
      BigDecimal overall = history.isEmpty() ? BigDecimal.ZERO : mean(history.values());
      BigDecimal small = smallSample(history.size() - byWeekday.size());
      for (DayOfWeek weekday : DayOfWeek.values()) {
        List<BigDecimal> costs = byWeekday.get(weekday);
        if (costs == null) {
          levels.put(weekday, overall);
          days.put(weekday, history.size());
          continue;
        }
        BigDecimal level = mean(costs);
        levels.put(weekday, level);
        days.put(weekday, costs.size());
        if (level.signum() > 0) {
          BigDecimal widen = widening(costs.size()).multiply(small);
          for (BigDecimal cost : costs) {
            BigDecimal ratio = cost.divide(level, SCALE, RoundingMode.HALF_EVEN);
            BigDecimal residual =
                BigDecimal.ONE.add(ratio.subtract(BigDecimal.ONE).multiply(widen));
            residuals.add(residual.max(BigDecimal.ZERO).setScale(SCALE, RoundingMode.HALF_EVEN));
          }
        }
      }
      return new Profile(levels, days, residuals.toArray(BigDecimal[]::new));
    }

    /** Each weekday's level drawn again as that of as many days, by ordinal (class comment). */
    BigDecimal[] drawnLevels(Random random) {
      BigDecimal[] drawn = new BigDecimal[WEEKDAYS.length];
      for (DayOfWeek weekday : WEEKDAYS) {
        BigDecimal level = levels.get(weekday);
        int n = days.get(weekday);
        if (level.signum() == 0 || residuals.length == 0) {
          drawn[weekday.ordinal()] = level;
          continue;
        }
        BigDecimal sum = BigDecimal.ZERO;
        for (int i = 0; i < n; i++) {
          sum = sum.add(residual(random));
        }
        drawn[weekday.ordinal()] =
            level.multiply(sum).divide(BigDecimal.valueOf(n), SCALE, RoundingMode.HALF_EVEN);
      }
      return drawn;
    }

    /** One residual drawn from all of them; 1 when there are none. */
    BigDecimal residual(Random random) {
      return residuals.length == 0 ? BigDecimal.ONE : residuals[random.nextInt(residuals.length)];
    }

    /**
     * {@code 1 + (z² + 1) / (4 df)} for {@code df} degrees of freedom, z the normal's 90th
     * percentile: Student's t over the normal at the 90th percentile (Cornish–Fisher's first
     * term), 1.031 for 28 days; 1 without any.
     */
    private static BigDecimal smallSample(int df) {
      return df < 1
          ? BigDecimal.ONE
          : BigDecimal.ONE.add(T_TERM.divide(BigDecimal.valueOf(df), MathContext.DECIMAL64));
    }

    /** {@code √(n / (n − 1))}; 0 for one day, which says nothing of the spread. */
    private static BigDecimal widening(int n) {
      if (n < 2) {
        return BigDecimal.ZERO;
      }
      return BigDecimal.valueOf(n)
          .divide(BigDecimal.valueOf(n - 1L), MathContext.DECIMAL64)
          .sqrt(MathContext.DECIMAL64);
    }

    private static BigDecimal mean(Collection<BigDecimal> costs) {
      BigDecimal sum = costs.stream().reduce(BigDecimal.ZERO, BigDecimal::add);
      return sum.divide(BigDecimal.valueOf(costs.size()), SCALE, RoundingMode.HALF_EVEN);
    }
  }
}
