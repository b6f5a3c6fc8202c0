package io.streamspace.host.plugins;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** When a node takes traffic: {@link Readiness}. */
class ReadinessTest {

  private final Readiness readiness = new Readiness();

  private static Readiness.EnabledPlugin billing(long secondsBehind) {
    return new Readiness.EnabledPlugin(
        "billing", true, "started", new JournalLag(40, secondsBehind, "node-1", List.of()));
  }

  @Test
  void aNewNodeIsNotReadyUntilItsPluginsHaveCaughtUpWithTheJournal() {
    assertEquals(
        List.of("plugin billing is 40 events (31 s) behind the journal"),
        readiness.notReadyBecause(true, true, List.of(billing(31))));
    assertEquals(List.of(), readiness.notReadyBecause(true, true, List.of(billing(30))));
  }

  @Test
  void onceReady_aPluginFallingBehindNoLongerTakesTheNodeOutOfService() {
    assertEquals(List.of(), readiness.notReadyBecause(true, true, List.of(billing(0))));

    assertEquals(List.of(), readiness.notReadyBecause(true, true, List.of(billing(600))));
  }

  @Test
  void onceReady_aFailedPluginOrTheDatabaseAwayStillDo() {
    assertEquals(List.of(), readiness.notReadyBecause(true, true, List.of(billing(0))));

    assertEquals(
        List.of("plugin billing is failed"),
        readiness.notReadyBecause(
            true, true, List.of(new Readiness.EnabledPlugin("billing", false, "failed", null))));
    assertEquals(
        List.of("the database does not answer"), readiness.notReadyBecause(true, false, List.of()));
  }

  @Test
  void aNodeWhosePluginsAreStartingIsNotReady() {
    assertEquals(
        List.of("plugins are starting"), readiness.notReadyBecause(false, true, List.of()));
  }

  @Test
  void aPluginThatNeverConsumedHasNoLagToWaitFor() {
    assertEquals(
        List.of(),
        readiness.notReadyBecause(
            true, true, List.of(new Readiness.EnabledPlugin("billing", true, "started", null))));
  }
}
