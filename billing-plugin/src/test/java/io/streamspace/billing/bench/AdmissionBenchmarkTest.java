package io.streamspace.billing.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The benchmark runs, on a small load; its timings are only logged, never asserted. */
class AdmissionBenchmarkTest {

  @Test
  void theBenchmarkRefusesEveryAccountWithTwoOpenSessionsOfTheFreePlan() throws Exception {
    AdmissionBenchmark.Round round = AdmissionBenchmark.run(1_000, 10_000);

    assertEquals(10_000, round.decisions());
    // the odd accounts hold 2 sessions: about half of the random picks are refused
    assertEquals(0.5, round.refused() / 10_000.0, 0.05);
    // the first checks of u1..u1000, each read back: the odd ones (2 sessions) refused
    assertEquals(1_000, round.firstChecks());
    assertEquals(500, round.firstRefused());
  }
}
