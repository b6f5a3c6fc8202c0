package io.streamspace.host.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.host.db.Database;
import io.streamspace.host.db.HostMigrations;
import io.streamspace.host.plugins.ActivePlugin;
import io.streamspace.plugin.api.PlatformPlugin;
import io.streamspace.testing.Await;
import io.streamspace.testing.CountedStatements;
import io.streamspace.testing.MutableClock;
import io.streamspace.testing.TestDatabases;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A consumer hands the next round while the plugin flushes the one before, but moves its
 * position past a round only once that round's flush has completed; after a failed flush, what
 * was handed since the position is handed again (at least once, as before); a round costs the
 * database the same few statements however many entries it holds.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PipelinedConsumerTest {

  private static final Instant NOW = Instant.parse("2026-03-10T12:00:00Z");
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final Duration POLL = Duration.ofMillis(20);

  private final Database database = Database.external(TestDatabases.freshDatabaseUrl(), Map.of());
  private final EventJournal journal = migrated();

  private EventJournal migrated() {
    HostMigrations.migrate(database.dataSource());
    return new EventJournal(database.dataSource(), new MutableClock(NOW));
  }

  @AfterAll
  void close() {
    database.close();
  }

  /** Each flush answers with the next future the test put in, or at once when there is none. */
  static final class HeldFlushes implements PlatformPlugin {
    final BlockingQueue<CompletableFuture<Void>> flushes = new LinkedBlockingQueue<>();

    @Override
    public CompletionStage<Void> flush() {
      CompletableFuture<Void> next = flushes.poll();
      return next != null ? next : CompletableFuture.completedFuture(null);
    }
  }

  @Test
  void theNextRoundIsHandedWhileTheLastFlushes_thePositionMovesOnlyPastFlushedRounds()
      throws Exception {
    Appended appended =
        journal.append(
            List.of(entry("p-1"), entry("p-2"), entry("p-3"), entry("p-4"), entry("p-5")));
    long first = appended.seqs().get(0);
    List<Long> handed = new CopyOnWriteArrayList<>();
    EventHandoff recording = (journaled, plugin) -> handed.add(journaled.seq());
    HeldFlushes plugin = new HeldFlushes();
    CompletableFuture<Void> roundOne = new CompletableFuture<>();
    CompletableFuture<Void> roundTwo = new CompletableFuture<>();
    plugin.flushes.add(roundOne);
    plugin.flushes.add(roundTwo);
    // rounds of 2 entries: p-1 p-2, then p-3 p-4, then p-5
    JournalConsumer.Timings rounds =
        new JournalConsumer.Timings(
            Duration.ofSeconds(10),
            Duration.ofSeconds(3),
            Duration.ofMillis(50),
            Duration.ofMillis(50),
            2);

    try (JournalConsumers consumers =
        new JournalConsumers(
            journal,
            database.dataSource(),
            recording,
            new MutableClock(NOW),
            "test-node",
            rounds)) {
      consumers.rewind("pipelined", NOW);
      consumers.started(new ActivePlugin("pipelined", plugin, null));

      // round two was handed while round one's flush was held; round three waits behind it
      Await.await(WAIT, POLL, "rounds one and two handed", () -> handed.size() == 4);
      assertEquals(List.of(first, first + 1, first + 2, first + 3), handed);
      assertEquals(first - 1, position(), "nothing flushed yet: the position has not moved");

      roundOne.complete(null);
      Await.await(WAIT, POLL, "the position past round one", () -> position() == first + 1);
      // round two's flush is still held: its end (first + 3) cannot have been reached
      assertEquals(first + 1, position());

      roundTwo.completeExceptionally(new IllegalStateException("the plugin's store refused"));
      // handed again from the position: round two (p-3 p-4), and p-5, handed after it before
      Await.await(WAIT, POLL, "everything flushed", () -> position() == first + 4);
      assertEquals(
          List.of(
              first, first + 1, first + 2, first + 3, first + 4, first + 2, first + 3, first + 4),
          handed);
    }
  }

  @Test
  void aRoundIsFourStatementsWhateverItsSize_readsOfTheJournalAndOneMoveOfTheCursor() {
    CountedStatements counted = new CountedStatements(database.dataSource());
    EventJournal reading = new EventJournal(counted.dataSource(), new MutableClock(NOW));
    EventJournal earlier =
        new EventJournal(database.dataSource(), new MutableClock(NOW.minusSeconds(3_600)));
    // nothing on a timer meanwhile: no idle look, no renewal
    JournalConsumer.Timings woken =
        new JournalConsumer.Timings(
            Duration.ofMinutes(10), Duration.ofMinutes(5), Duration.ofMinutes(5), WAIT, 5_000);
    try (JournalConsumers consumers =
        new JournalConsumers(
            reading,
            counted.dataSource(),
            (journaled, plugin) -> {},
            new MutableClock(NOW),
            "test-node",
            woken)) {
      consumers.started(new ActivePlugin("counted", new HeldFlushes(), null));
      // the lease taken, then a look that finds nothing: the consumer waits to be woken
      Await.await(WAIT, POLL, "the consumer's first look", () -> counted.executed().size() >= 2);
      for (int events : new int[] {10, 1_000}) {
        List<JournalEntry> batch = new ArrayList<>();
        for (int i = 0; i < events; i++) {
          batch.add(entry("c-" + events + "-" + i));
        }
        // journaled before the other test's entries, which it rewinds to from NOW
        long last = earlier.append(batch).lastSeq();
        counted.clear();

        consumers.journaled();
        assertTrue(consumers.awaitConsumed(last, WAIT));
        // the round, the look that finds it was the last (its flush awaited), the cursor moved
        // past it, and the look before the consumer waits again
        Await.await(WAIT, POLL, "the consumer waiting again", () -> counted.executed().size() >= 4);
        List<String> statements = counted.executed();
        assertEquals(4, statements.size(), events + " events: " + statements);
        assertEquals(
            1,
            statements.stream().filter(sql -> sql.contains("UPDATE host_journal_cursors")).count(),
            statements.toString());
      }
    }
  }

  private static JournalEntry entry(String id) {
    return new JournalEntry(id, "session.heartbeat", NOW, "ann", "s-1", "{\"id\":\"" + id + "\"}");
  }

  private long position() throws Exception {
    try (Connection connection = database.dataSource().getConnection();
        PreparedStatement statement =
            connection.prepareStatement(
                "SELECT position FROM host_journal_cursors WHERE plugin_id = 'pipelined'");
        ResultSet rows = statement.executeQuery()) {
      rows.next();
      return rows.getLong(1);
    }
  }
}
