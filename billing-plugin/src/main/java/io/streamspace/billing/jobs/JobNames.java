package io.streamspace.billing.jobs;

import java.util.List;

/**
 * Every job the plugin schedules, by name: what {@code POST /jobs/{name}} may run and its API
 * description lists (a job missing here is still run by its route, but undocumented; {@code
 * JobRoutesTest} compares the list with the jobs scheduled).
 */
public final class JobNames {

  /** In alphabetical order. */
  public static final List<String> ALL =
      List.of(
          AuditCheckpointJob.NAME,
          CalculateUsageJob.NAME,
          CheckBalancesJob.NAME,
          CheckBudgetsJob.NAME,
          CheckQuotasJob.NAME,
          CheckRangeIndexesJob.NAME,
          CollectPaymentsJob.NAME,
          FinalizeInvoicesJob.NAME,
          GenerateInvoicesJob.NAME,
          PayCreatorsJob.NAME,
          TellThenChangeJob.PLAN_MIGRATIONS,
          RefreshDashboardJob.NAME,
          RollUpUsageJob.NAME,
          TellThenChangeJob.TRIALS);

  private JobNames() {}
}
