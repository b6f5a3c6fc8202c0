package io.streamspace.billing.corrections;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;

/**
 * One entry of a correction's journal ({@code billing_correction_entries}): what it corrects and
 * how. {@code item} is the request's item it came from; {@code orgId} the organization whose
 * usage it corrects (null until the correction looks it up).
 */
public sealed interface Entry {

  int item();

  String orgId();

  /** The field of the request this entry answers for: {@code items[2].amend}. */
  default String field() {
    return "items[" + item() + "]";
  }

  /** An accepted event taken back: what it stored no longer counts. */
  record Cancel(int item, String orgId, String eventId) implements Entry {}

  /**
   * A session's sizes over {@code [from, to)}: each one given replaces what was recorded (null:
   * left as recorded). {@code storageGb} is its organization's storage level; {@code resources}
   * the held meters' amounts, by meter id.
   */
  record AmendSizes(
      int item,
      String orgId,
      String sessionId,
      Instant from,
      Instant to,
      BigDecimal cpuCores,
      BigDecimal memoryGb,
      BigDecimal storageGb,
      Map<String, BigDecimal> resources)
      implements Entry {
    public AmendSizes {
      resources = Map.copyOf(resources);
    }
  }

  /** A usage report's quantity, replacing what the platform reported. */
  record AmendQuantity(int item, String orgId, String eventId, BigDecimal quantity)
      implements Entry {}

  /** An event the platform lost, added to the history now, in intake's shape. */
  record Backfill(int item, String orgId, BackfilledEvent event) implements Entry {}
}
