package io.streamspace.billing.config;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Says why a cron expression is not valid; the host's scheduler is the authority. */
@FunctionalInterface
public interface CronValidator {

  /** Why the expression is not valid, or empty when it is. */
  Optional<String> problem(String cron);

  /**
   * The check used before the host's scheduler is known: five whitespace-separated fields, as
   * the plugin API's cron format requires, and no step of zero.
   */
  static CronValidator fiveFields() {
    return refusingZeroSteps(
        cron ->
            cron.trim().split("\\s+").length == 5
                ? Optional.empty()
                : Optional.of("must have five fields: minute hour day-of-month month day-of-week"));
  }

  /**
   * {@code next}, after refusing a step that is not a whole number from 1 (a minute field of
   * {@code *}{@code /0}): Quartz accepts a step of 0 and reads it as no step at all (that
   * minute field fires every minute), which no one who wrote {@code /0} meant. Checked here as
   * well as by the host, so a host whose scheduler lets it through cannot have the plugin's jobs
   * run every minute.
   */
  static CronValidator refusingZeroSteps(CronValidator next) {
    return cron -> badStep(cron).or(() -> next.problem(cron));
  }

  /** Why a step ({@code /n}, in any field) is not a whole number from 1, if one is not. */
  private static Optional<String> badStep(String cron) {
    Matcher step = Pattern.compile("/([^,\\s]*)").matcher(cron);
    while (step.find()) {
      if (!step.group(1).matches("0*[1-9][0-9]*")) {
        return Optional.of(
            "has the step /"
                + step.group(1)
                + ": a step must be a whole number from 1 (*/5 is every 5 minutes)");
      }
    }
    return Optional.empty();
  }
}
