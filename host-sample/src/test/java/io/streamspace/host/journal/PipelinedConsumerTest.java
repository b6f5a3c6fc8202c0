package io.streamspace.host.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.host.db.Database;
import io.streamspace.host.db.HostMigrations;
import io.streamspace.host.plugins.ActivePlugin;
import io.streamspace.plugin.api.PlatformPlugin;
import io.streamspace.plugin.api.PluginContext;
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
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
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
  // nothing on a timer meanwhile: no idle look, no renewal; a consumer looks when it is woken
  private static final JournalConsumer.Timings WOKEN_ONLY =
      new JournalConsumer.Timings(
          Duration.ofMinutes(10), Duration.ofMinutes(5), Duration.ofMinutes(5), WAIT, 5_000);

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
  void aRoundIsThreeStatementsWhateverItsSize_twoReadsOfTheJournalAndOneMoveOfTheCursor() {
    CountedStatements counted = new CountedStatements(database.dataSource());
    EventJournal reading = new EventJournal(counted.dataSource(), new MutableClock(NOW));
    EventJournal earlier =
        new EventJournal(database.dataSource(), new MutableClock(NOW.minusSeconds(3_600)));
    try (JournalConsumers consumers =
        new JournalConsumers(
            reading,
            counted.dataSource(),
            (journaled, plugin) -> {},
            new MutableClock(NOW),
            "test-node",
            WOKEN_ONLY)) {
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
        // the round, the look that finds it was the last (its flush awaited) and the cursor moved
        // past it; then the consumer waits to be woken, without looking again
        Await.await(WAIT, POLL, "the consumer waiting again", () -> pausing("journal-counted"));
        List<String> statements = counted.executed();
        assertEquals(3, statements.size(), events + " events: " + statements);
        assertEquals(
            1,
            statements.stream().filter(sql -> sql.contains("UPDATE host_journal_cursors")).count(),
            statements.toString());
      }
    }
  }

  @Test
  void theEventsThisNodeKeepsAreHandedWithoutTheirEntries_theOthersAsReadBack() {
    Map<Long, EventHandoff.Kept> keptHere = new ConcurrentHashMap<>();
    List<String> handed = new CopyOnWriteArrayList<>();
    EventHandoff keeping =
        new EventHandoff() {
          @Override
          public void handOff(EventJournal.Journaled journaled, ActivePlugin plugin) {
            handed.add("read back " + journaled.entry().body());
          }

          @Override
          public NavigableMap<Long, EventHandoff.Kept> keptAfter(long seq, int most) {
            return new TreeMap<>(keptHere).subMap(seq, false, seq + most, true);
          }
        };
    CountedStatements counted = new CountedStatements(database.dataSource());
    EventJournal reading = new EventJournal(counted.dataSource(), new MutableClock(NOW));
    // journaled before the first test's entries, which it rewinds to from NOW
    EventJournal earlier =
        new EventJournal(database.dataSource(), new MutableClock(NOW.minusSeconds(7_200)));
    try (JournalConsumers consumers =
        new JournalConsumers(
            reading,
            counted.dataSource(),
            keeping,
            new MutableClock(NOW),
            "test-node",
            WOKEN_ONLY)) {
      consumers.started(new ActivePlugin("keeping", new HeldFlushes(), null));
      Await.await(WAIT, POLL, "the consumer's first look", () -> counted.executed().size() >= 2);
      Appended appended =
          earlier.append(List.of(entry("k-1"), entry("k-2"), entry("k-3"), entry("k-4")));
      long first = appended.seqs().get(0);
      // this node keeps k-1, k-2 and k-4 as parsed; k-3 it does not (another node journaled it)
      for (int i : new int[] {0, 1, 3}) {
        String id = "k-" + (i + 1);
        keptHere.put(first + i, kept(id, handed));
      }

      consumers.journaled();
      assertTrue(consumers.awaitConsumed(appended.lastSeq(), WAIT));
      assertEquals(
          List.of("kept k-1", "kept k-2", "read back {\"id\":\"k-3\"}", "kept k-4"), handed);

      // kept at its position, another event: the entry is the event, read back
      handed.clear();
      long k5 = earlier.append(List.of(entry("k-5"))).lastSeq();
      keptHere.put(k5, kept("not-k-5", handed));
      consumers.journaled();
      assertTrue(consumers.awaitConsumed(k5, WAIT));
      assertEquals(List.of("read back {\"id\":\"k-5\"}"), handed);
    }
  }

  private static EventHandoff.Kept kept(String id, List<String> handed) {
    return new EventHandoff.Kept() {
      @Override
      public String id() {
        return id;
      }

      @Override
      public void deliverTo(PlatformPlugin plugin, PluginContext context) {
        handed.add("kept " + id);
      }
    };
  }

  /** Whether the consumer's thread of this name waits between its looks. */
  private static boolean pausing(String thread) {
    return Thread.getAllStackTraces().entrySet().stream()
        .anyMatch(
            e ->
                e.getKey().getName().equals(thread)
                    && e.getKey().getState() == Thread.State.TIMED_WAITING
                    && Arrays.stream(e.getValue())
                        .anyMatch(frame -> frame.getMethodName().equals("pause")));
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
