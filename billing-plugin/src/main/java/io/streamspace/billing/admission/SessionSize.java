package io.streamspace.billing.admission;

import io.streamspace.plugin.api.event.ResourceSize;
import java.math.BigDecimal;

/** What an open session holds of the concurrent meters. */
record SessionSize(BigDecimal cpuCores, BigDecimal memoryGb) {

  static final SessionSize NONE = new SessionSize(BigDecimal.ZERO, BigDecimal.ZERO);

  /** The size of those resources; null stays null (no size reported). */
  static SessionSize of(ResourceSize resources) {
    return resources == null ? null : new SessionSize(resources.cpuCores(), resources.memoryGb());
  }
}
