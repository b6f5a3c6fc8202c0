package io.streamspace.billing.jobs;

import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.db.UsageRecordIndexes;
import io.streamspace.common.db.RangeIndex;
import io.streamspace.plugin.api.jobs.JobContext;
import io.streamspace.plugin.api.jobs.JobResult;
import io.streamspace.plugin.api.jobs.JobScheduler;
import io.streamspace.plugin.api.jobs.PluginJob;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code check-range-indexes} job, every hour at 40: checks the usage records' BRIN indexes
 * ({@link UsageRecordIndexes}) with a count no record meets, and mends one that returns more
 * than {@link RangeIndex#STRAY_PAGES} for it ({@link RangeIndex}: its new ranges summarized, then
 * rebuilt if that is not enough): a range never summarized, or a placeholder a stopped
 * summarization left, would otherwise make every roll-up step and every report over all
 * organizations read the table from there on. A sound index costs the check a read of its
 * summaries.
 */
public final class CheckRangeIndexesJob implements PluginJob {

  public static final String NAME = "check-range-indexes";
  static final String CRON = "40 * * * *";

  private static final Logger log = LoggerFactory.getLogger(CheckRangeIndexesJob.class);

  private final DataSource dataSource;
  private final Supplier<BillingConfig> config;

  public CheckRangeIndexesJob(DataSource dataSource, Supplier<BillingConfig> config) {
    this.dataSource = dataSource;
    this.config = config;
  }

  /** Schedules the job (its cron does not depend on the config). */
  public void scheduleOn(JobScheduler scheduler) {
    scheduler.schedule(NAME, CRON, config.get().billingTimeZone(), this);
  }

  @Override
  public JobResult run(JobContext context) throws Exception {
    List<String> lines = new ArrayList<>();
    int mended = 0;
    Exception failed = null;
    try (Connection connection = dataSource.getConnection()) {
      // each index checked even when the other's check fails
      for (RangeIndex index : UsageRecordIndexes.ALL) {
        try {
          RangeIndex.Check check = index.check(connection);
          lines.add(check.summary());
          if (check.mended()) {
            mended++;
            log.warn("{}: {}", NAME, check.summary());
          }
        } catch (SQLException | RuntimeException e) {
          lines.add("%s: the check failed: %s".formatted(index.index(), e.getMessage()));
          if (failed == null) {
            failed = e;
          } else {
            failed.addSuppressed(e);
          }
        }
      }
    }
    if (failed != null) {
      throw new IllegalStateException(String.join("; ", lines), failed);
    }
    return JobResult.of(mended, String.join("; ", lines));
  }
}
