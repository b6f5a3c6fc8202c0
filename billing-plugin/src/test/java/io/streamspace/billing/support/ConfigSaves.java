package io.streamspace.billing.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.plugin.api.config.ConfigProblem;
import io.streamspace.plugin.api.config.ConfigSaving;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * An admin's save of the billing config as the host hands it over (its {@code PUT} of the config
 * with a reason): the plugin's check and writes in the save's transaction, then the new config in
 * effect. What makes a plan's next version.
 */
public final class ConfigSaves {

  /** The host's hand-over of a saved config (as {@code ConfigChangeAuditedTest} makes it). */
  private record Saving(
      Connection connection,
      Instant at,
      String changedBy,
      Optional<String> reason,
      Optional<String> requestId,
      String beforeJson,
      String afterJson,
      List<String> changedKeys,
      Set<String> secretsChanged)
      implements ConfigSaving {}

  private ConfigSaves() {}

  /**
   * The admin root saves {@code after} over {@code before} at {@code at}, changing its plans, for
   * {@code reason}; it is accepted, committed and takes effect.
   */
  public static void saved(
      BillingHarness billing, Instant at, String reason, String before, String after)
      throws SQLException {
    billing.clock.set(at);
    try (Connection connection = TestDatabase.dataSource().getConnection()) {
      connection.setAutoCommit(false);
      List<ConfigProblem> problems =
          billing.billing.onConfigSaving(
              new Saving(
                  connection,
                  at,
                  "root",
                  Optional.of(reason),
                  Optional.empty(),
                  before,
                  after,
                  List.of("subscriptionPlans"),
                  Set.of()));
      connection.commit();
      assertEquals(List.of(), problems);
    }
    billing.context.setConfigJson(after);
    billing.billing.onConfigChanged(billing.context);
  }
}
