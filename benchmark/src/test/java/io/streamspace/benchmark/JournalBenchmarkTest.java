package io.streamspace.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.host.db.Database;
import io.streamspace.testing.TestDatabases;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The journal benchmark still runs: a tiny round, no timing asserted. */
class JournalBenchmarkTest {

  @Test
  void aTinyRoundMeasuresEveryPhase_andHandsThePluginEveryEventAppended() throws Exception {
    try (Database database = Database.external(TestDatabases.freshDatabaseUrl(), Map.of())) {
      JournalBenchmark.prepare(database.dataSource());

      // round() itself fails unless every phase saw all 2,500 events (two appends: 5,000)
      List<JournalBenchmark.Phase> phases =
          JournalBenchmark.round(database.dataSource(), 2_500, "smoke-");

      assertEquals(
          List.of(
              "baseline INSERT, 1 thread",
              "baseline INSERT, 4 threads",
              "EventJournal.append, 1 thread",
              "EventJournal.append, 4 threads",
              "EventJournal.after, rounds of 5,000",
              "JournalConsumers, no-op plugin"),
          phases.stream().map(JournalBenchmark.Phase::name).toList());
      assertEquals(
          List.of(2_500L, 2_500L, 2_500L, 2_500L, 5_000L, 5_000L),
          phases.stream().map(JournalBenchmark.Phase::events).toList());
      assertTrue(phases.stream().allMatch(phase -> phase.perSecond() > 0));
    }
  }
}
