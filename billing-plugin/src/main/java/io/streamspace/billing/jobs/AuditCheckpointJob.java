package io.streamspace.billing.jobs;

import io.streamspace.billing.audit.AuditCheckpoint;
import io.streamspace.billing.audit.AuditCheckpoints;
import io.streamspace.billing.config.BillingConfig;
import io.streamspace.billing.events.BillingEvents;
import io.streamspace.plugin.api.jobs.JobContext;
import io.streamspace.plugin.api.jobs.JobResult;
import io.streamspace.plugin.api.jobs.JobScheduler;
import io.streamspace.plugin.api.jobs.PluginJob;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The {@code audit-checkpoint} job, every minute: when no checkpoint was made in the last
 * {@code auditCheckpointMinutes}, takes a signed checkpoint of the audit chains ({@link
 * AuditCheckpoints}) and publishes it as {@link BillingEvents#AUDIT_CHECKPOINT}, for the platform
 * to keep outside the database. Without a checkpoint key it does nothing; with one it runs while
 * billing is disabled too (the trail, config changes included, still grows). A run again within
 * the interval changes nothing.
 */
public final class AuditCheckpointJob implements PluginJob {

  public static final String NAME = "audit-checkpoint";
  static final String CRON = "* * * * *";

  private final AuditCheckpoints checkpoints;
  private final Supplier<BillingConfig> config;

  public AuditCheckpointJob(AuditCheckpoints checkpoints, Supplier<BillingConfig> config) {
    this.checkpoints = checkpoints;
    this.config = config;
  }

  /** Schedules the job (its cron does not depend on the config: the interval is its check). */
  public void scheduleOn(JobScheduler scheduler) {
    scheduler.schedule(NAME, CRON, config.get().billingTimeZone(), this);
  }

  @Override
  public JobResult run(JobContext context) throws Exception {
    if (!checkpoints.anchoring()) {
      return JobResult.of(0, "no audit checkpoint key: anchoring is off");
    }
    int minutes = config.get().auditCheckpointMinutes();
    if (!checkpoints.due(Duration.ofMinutes(minutes))) {
      return JobResult.of(0, "a checkpoint was made in the last " + minutes + " minutes");
    }
    Optional<AuditCheckpoint> taken = checkpoints.publish();
    if (taken.isEmpty()) {
      return JobResult.of(0, "no audit checkpoint key: anchoring is off");
    }
    AuditCheckpoint checkpoint = taken.get();
    return JobResult.of(
        checkpoint.heads().size(),
        "a checkpoint of %d chains as of %s".formatted(checkpoint.heads().size(), checkpoint.at()));
  }
}
