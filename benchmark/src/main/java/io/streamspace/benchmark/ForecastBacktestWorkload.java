package io.streamspace.benchmark;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.List;

/**
 * The forecast's backtest (billing's {@code ForecastBacktest}, pure and seeded): synthetic
 * organizations with weekday profiles and noise, each forecast at a random instant of its period
 * and held against what its period actually cost. Run from the host's started billing plugin, as
 * the host loaded it, so it is the packaged plugin's forecast that is measured. Its row says how
 * often the p10–p90 range held the actual total and how often the p50 path crossed a budget
 * within a day of the actual spend; its time is for the record, not a target.
 */
public final class ForecastBacktestWorkload implements Workload {

  static final String NAME = "forecast-backtest";
  static final String BACKTEST = "io.streamspace.billing.forecast.ForecastBacktest";
  static final long SEED = 1;
  static final double TARGET_PERCENT = 80;

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<BenchRow> run(BenchContext context) throws Exception {
    int periods = context.size().pick(200, 10_000);
    Class<?> backtest = context.host().pluginClassLoader("billing").loadClass(BACKTEST);
    Method run = backtest.getMethod("run", int.class, long.class);
    context.progress().line(String.format("%s: %,d synthetic organizations", NAME, periods));
    long began = System.nanoTime();
    Object result = run.invoke(null, periods, SEED);
    Duration time = EventSender.since(began);
    int covered = (int) component(result, "covered");
    int onTime = (int) component(result, "onTime");
    if ((int) component(result, "periods") != periods) {
      throw new IllegalStateException("the backtest ran other periods than asked: " + result);
    }
    double coverage = 100.0 * covered / periods;
    double crossing = 100.0 * onTime / periods;
    return List.of(
        BenchRows.timed(
            String.format(
                "%s: p10–p90 held the period's actual total in %.1f %% of periods; the p50 path"
                    + " crossed a budget within a day of the actual spend in %.1f %%",
                NAME, coverage, crossing),
            String.format("%,d synthetic organizations (seed %d)", periods, SEED),
            time,
            "≥ 80 % and ≥ 80 %",
            coverage >= TARGET_PERCENT && crossing >= TARGET_PERCENT));
  }

  /** A component of the backtest's result record, read by its accessor. */
  private static Object component(Object result, String name) throws Exception {
    return result.getClass().getMethod(name).invoke(result);
  }
}
