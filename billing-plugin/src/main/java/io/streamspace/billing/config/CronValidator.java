package io.streamspace.billing.config;

import java.util.Optional;

/** Says why a cron expression is not valid; the host's scheduler is the authority. */
@FunctionalInterface
public interface CronValidator {

  /** Why the expression is not valid, or empty when it is. */
  Optional<String> problem(String cron);

  /**
   * The check used before the host's scheduler is known: five whitespace-separated fields, as
   * the plugin API's cron format requires.
   */
  static CronValidator fiveFields() {
    return cron ->
        cron.trim().split("\\s+").length == 5
            ? Optional.empty()
            : Optional.of("must have five fields: minute hour day-of-month month day-of-week");
  }
}
