package io.streamspace.billing.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The measurement runs, on a small load; the bytes it finds are only logged, never asserted. */
class AdmissionMemoryTest {

  /** 1,000 accounts with 2 open sessions each and 1,000 idle ones: the view holds the 1,000. */
  @Test
  void theViewHoldsTheAccountsWithOpenSessions_notTheIdleOnes() throws Exception {
    AdmissionMemory.Held held = AdmissionMemory.load(1_000, 2);

    assertEquals(1_000, held.held());
  }
}
