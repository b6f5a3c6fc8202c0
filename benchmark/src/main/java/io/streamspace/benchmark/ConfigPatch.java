package io.streamspace.benchmark;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * Billing config keys a workload changes while it runs, put back as they were when closed (a key
 * not in effect before goes back to its default).
 */
final class ConfigPatch implements AutoCloseable {

  /** A cron that keeps a scheduled job out of a measurement: once a year. */
  static final String YEARLY = "0 0 1 1 *";

  private final BillingClient billing;
  private final Map<String, Object> before;

  private ConfigPatch(BillingClient billing, Map<String, Object> before) {
    this.billing = billing;
    this.before = before;
  }

  static ConfigPatch apply(BillingClient billing, Map<String, Object> patch)
      throws IOException, InterruptedException {
    JsonNode config = billing.config();
    Map<String, Object> before = new HashMap<>();
    for (String key : patch.keySet()) {
      before.put(key, config.get(key));
    }
    billing.patchConfig(patch, "benchmark: the keys its workload needs");
    return new ConfigPatch(billing, before);
  }

  @Override
  public void close() throws IOException, InterruptedException {
    billing.patchConfig(before, "benchmark: the keys its workload changed, put back");
  }
}
