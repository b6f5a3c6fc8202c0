package io.streamspace.billing.config;

import io.streamspace.plugin.api.config.ConfigProblem;
import java.util.List;

/**
 * A parsed configuration: what is in effect (a key with a problem keeps its default) and every
 * problem found, each naming its dotted key.
 */
public record ConfigParseResult(BillingConfig config, List<ConfigProblem> problems) {

  public ConfigParseResult {
    problems = List.copyOf(problems);
  }

  public boolean isValid() {
    return problems.isEmpty();
  }
}
