package io.streamspace.billing.jobs;

import io.streamspace.billing.audit.Cause;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.rating.RatingReport;
import io.streamspace.billing.rating.UsageCalculator;
import io.streamspace.plugin.api.jobs.JobContext;
import io.streamspace.plugin.api.jobs.JobResult;
import io.streamspace.plugin.api.jobs.JobScheduler;
import io.streamspace.plugin.api.jobs.PluginJob;
import java.sql.SQLException;
import java.time.Clock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code calculate-usage} job: rates settled usage with the config in effect when it runs,
 * so a rate change applies from the next run on, in chunks with pauses between them ({@link
 * UsageCalculator}); its result's message says what it rated and its own time apart from its
 * pacing. After a run that rated anything, the spending limits are checked against the new
 * estimates ({@link AfterRating}).
 */
public final class CalculateUsageJob implements PluginJob {

  public static final String NAME = "calculate-usage";

  private static final Logger log = LoggerFactory.getLogger(CalculateUsageJob.class);

  /** What runs after a rating run that rated anything (the spending limits' check). */
  @FunctionalInterface
  public interface AfterRating {
    /**
     * @param cause the rating run's, as the audit trail tells the holds it places or lifts
     * @return how many alerts and holds it sent, placed or lifted
     */
    int check(Cause cause) throws SQLException;
  }

  /** Finishes the usage corrections a crash left part way; answers how many it finished. */
  @FunctionalInterface
  public interface Unfinished {
    Unfinished NONE = () -> 0;

    int finish() throws SQLException;
  }

  private final UsageCalculator calculator;
  private final AfterRating afterRating;
  private final Supplier<BillingConfig> config;
  private final Clock clock;
  // wired after the job: the corrections need the credit notes, which need the payments
  private volatile Unfinished corrections = Unfinished.NONE;

  public CalculateUsageJob(
      UsageCalculator calculator,
      AfterRating afterRating,
      Supplier<BillingConfig> config,
      Clock clock) {
    this.calculator = calculator;
    this.afterRating = afterRating;
    this.config = config;
    this.clock = clock;
  }

  /**
   * Has each run then finish the usage corrections a crash left part way (a node killed while it
   * made one), on whichever node runs it.
   */
  public void finishing(Unfinished corrections) {
    this.corrections = corrections;
  }

  /** Schedules (or reschedules) the job on the config's cron, read in its billing time zone. */
  public void scheduleOn(JobScheduler scheduler) {
    BillingConfig current = config.get();
    scheduler.schedule(NAME, current.usageCalculationInterval(), current.billingTimeZone(), this);
  }

  @Override
  public JobResult run(JobContext context) throws Exception {
    BillingConfig current = config.get();
    if (!current.enabled()) {
      return JobResult.of(0, "billing is disabled");
    }
    RatingReport report = calculator.runInChunks(current, clock.instant());
    UsageCalculator.Outcome outcome = report.outcome();
    String summary = report.summary();
    int spendingChanges =
        outcome.recordsInserted() > 0 ? afterRating.check(RunCause.of(context)) : 0;
    if (spendingChanges > 0) {
      summary += "; %d spending limit alert(s) or hold(s)".formatted(spendingChanges);
    }
    int finished = corrections.finish();
    if (finished > 0) {
      summary += "; %d usage correction(s) left part way finished".formatted(finished);
    }
    log.info("{}: {}", NAME, summary);
    return JobResult.of(outcome.recordsInserted(), summary);
  }
}
