package io.streamspace.billing.admission;

import io.streamspace.plugin.api.event.ResourceSize;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.Map;

/**
 * What an open session holds of the concurrent meters and of the held meters.
 *
 * @param cpuCores its cores
 * @param memoryGb its memory
 * @param held what it holds of each held meter, by meter id: as an event names them (0 releases
 *     a meter), or, once merged over what was known ({@link #over}), the amounts above zero. The
 *     shared {@code Map.of()} when it holds none, so a session without held resources costs no
 *     more memory for them (the record's third reference fits in its padding: the view's bytes
 *     per session, docs/billing-internals.md, "Admission from memory")
 */
record SessionSize(BigDecimal cpuCores, BigDecimal memoryGb, Map<String, BigDecimal> held) {

  static final SessionSize NONE = new SessionSize(BigDecimal.ZERO, BigDecimal.ZERO, Map.of());

  SessionSize {
    held = held.isEmpty() ? Map.of() : Map.copyOf(held);
  }

  /**
   * The size of those resources, its held ones those they name ({@code resources}); null stays
   * null (no size reported).
   */
  static SessionSize of(ResourceSize resources) {
    return resources == null
        ? null
        : new SessionSize(resources.cpuCores(), resources.memoryGb(), resources.resources());
  }

  /**
   * This size, a newer event's, over {@code known}: its cores and memory replace the known ones,
   * and its held amounts are merged over the known ones (a meter it names takes the new amount, 0
   * releasing it; one it does not name keeps the known amount), as {@code billing_session_held}
   * keeps each meter's steps. So a heartbeat that names no {@code resources} keeps what the
   * session holds. The meters at 0 are left out of the result.
   */
  SessionSize over(SessionSize known) {
    if (known.held().isEmpty() && held.values().stream().allMatch(amount -> amount.signum() > 0)) {
      return this;
    }
    Map<String, BigDecimal> merged = new HashMap<>(known.held());
    merged.putAll(held);
    merged.values().removeIf(amount -> amount.signum() == 0);
    return new SessionSize(cpuCores, memoryGb, merged);
  }

  /** The amount it holds of that held meter; zero when none. */
  BigDecimal held(String meterId) {
    return held.getOrDefault(meterId, BigDecimal.ZERO);
  }
}
