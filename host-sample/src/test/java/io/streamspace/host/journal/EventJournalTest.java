package io.streamspace.host.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.common.db.Sql;
import io.streamspace.host.db.Database;
import io.streamspace.host.db.HostMigrations;
import io.streamspace.testing.Await;
import io.streamspace.testing.CountedStatements;
import io.streamspace.testing.MutableClock;
import io.streamspace.testing.TestDatabases;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The event journal on real PostgreSQL: ids, conflicts, and the order entries become visible. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EventJournalTest {

  private static final Instant NOW = Instant.parse("2026-03-10T12:00:00Z");

  private final Database database = Database.external(TestDatabases.freshDatabaseUrl(), Map.of());
  private final EventJournal journal = migrated();

  private EventJournal migrated() {
    HostMigrations.migrate(database.dataSource());
    return new EventJournal(database.dataSource(), new MutableClock(NOW));
  }

  // appends that wait for one another each need a thread of their own
  private final ExecutorService threads = Executors.newCachedThreadPool();

  @AfterAll
  void close() {
    threads.shutdownNow();
    database.close();
  }

  private static JournalEntry entry(String id, String body) {
    return new JournalEntry(id, "session.heartbeat", NOW, "ann", "s-1", body);
  }

  @Test
  void aRedeliveredIdIsADuplicate_andAnotherBodyUnderItAConflict_neitherJournaledAgain() {
    long before = lastSeq();
    Appended first = journal.append(List.of(entry("e-1", "{\"a\":1}"), entry("e-2", "{\"a\":2}")));
    Appended again =
        journal.append(
            List.of(
                entry("e-1", "{\"a\":1}"), // the same event again
                entry("e-2", "{\"a\":3}"), // another event under a used id
                entry("e-3", "{\"a\":4}"),
                entry("e-3", "{\"a\":4}"), // repeated within the batch
                entry("e-3", "{\"a\":5}"))); // and conflicting within it

    assertEquals(2, first.seqs().size());
    assertEquals(List.of(), first.conflicts());
    assertEquals(Map.of(2, again.lastSeq()), again.seqs());
    assertEquals(2, again.duplicates());
    assertEquals(List.of(1, 4), again.conflicts());
    assertEquals(
        List.of("{\"a\":1}", "{\"a\":2}", "{\"a\":4}"),
        journal.after(before, 100).stream().map(j -> j.entry().body()).toList());
  }

  @Test
  void eachNewEntrysPositionIsToldBeforeTheBatchCommits_soNoReaderHasSeenItFirst() {
    long before = lastSeq();
    Map<Integer, Long> told = new HashMap<>();
    List<Integer> visibleWhenTold = new ArrayList<>();
    Appended appended =
        journal.append(
            List.of(entry("t-1", "{}"), entry("t-1", "{}"), entry("t-2", "{}")),
            (index, partition, seq) -> {
              told.put(index, seq);
              visibleWhenTold.add(journal.after(before, 10).size());
            });

    // the new entries' positions (not the repeat's), each told while no reader could see it
    assertEquals(appended.seqs(), told);
    assertEquals(Set.of(0, 2), told.keySet());
    assertEquals(List.of(0, 0), visibleWhenTold);
    assertEquals(2, journal.after(before, 10).size());
  }

  @Test
  void anAppendWaitsForTheOneBeforeItToCommit_soEntriesBecomeVisibleInTheOrderOfTheirPositions()
      throws Exception {
    long before = lastSeq();
    try (Connection earlier = database.dataSource().getConnection()) {
      // an append half-way: it holds the append lock and drew its number, not yet committed
      earlier.setAutoCommit(false);
      try (Statement statement = earlier.createStatement()) {
        statement.execute("SELECT pg_advisory_xact_lock(" + EventJournal.APPEND_LOCK + ")");
        statement.execute(
            "INSERT INTO host_journal (seq, journaled_at, event_id, event_type, occurred_at,"
                + " user_id, body) VALUES (nextval('host_journal_seq'), now(), 'slow', 'x',"
                + " now(), 'ann', '{}')");
      }
      CompletableFuture<Appended> later =
          CompletableFuture.supplyAsync(() -> journal.append(List.of(entry("fast", "{}"))));
      awaitWaitingForTheAppendLock();

      // the later append cannot draw a number yet, so a reader cannot see it ahead of "slow"
      assertFalse(later.isDone());
      assertEquals(List.of(), journal.after(before, 10));
      earlier.commit();
      long fast = later.get(10, TimeUnit.SECONDS).lastSeq();

      List<EventJournal.Journaled> seen = journal.after(before, 10);
      assertEquals(List.of("slow", "fast"), seen.stream().map(j -> j.entry().eventId()).toList());
      assertEquals(fast, seen.get(1).seq());
      assertTrue(seen.get(0).seq() < fast);
    }
  }

  @Test
  void batchesArrivingWhileAnAppendHoldsTheLock_goTogetherInTheNextTransaction_eachToldItsOwn()
      throws Exception {
    try (Connection blocker = holdTheAppendLock()) {
      // the first batch takes the lock's turn and waits in the database; the next two queue
      CompletableFuture<Appended> first = appendAsync(entry("g-1", "{\"a\":1}"));
      awaitWaitingForTheAppendLock();
      CompletableFuture<Appended> second =
          appendAsync(entry("g-2", "{\"a\":2}"), entry("g-3", "{\"a\":3}"));
      awaitQueued(1);
      CompletableFuture<Appended> third =
          appendAsync(
              entry("g-2", "{\"a\":2}"), // journaled by the batch before it in the group
              entry("g-3", "{\"a\":9}"), // another body under an id of that batch
              entry("g-1", "{\"a\":1}"), // journaled by the group before
              entry("g-4", "{\"a\":4}"));
      awaitQueued(2);
      blocker.commit();

      Appended firstDone = first.get(10, TimeUnit.SECONDS);
      Appended secondDone = second.get(10, TimeUnit.SECONDS);
      Appended thirdDone = third.get(10, TimeUnit.SECONDS);
      assertEquals(Set.of(0), firstDone.seqs().keySet());
      assertEquals(Set.of(0, 1), secondDone.seqs().keySet());
      assertEquals(0, secondDone.duplicates());
      assertEquals(Map.of(3, thirdDone.lastSeq()), thirdDone.seqs());
      assertEquals(2, thirdDone.duplicates());
      assertEquals(List.of(1), thirdDone.conflicts());
      assertTrue(secondDone.lastSeq() < thirdDone.lastSeq());
      // one transaction for the two queued batches, another for the first
      assertEquals(transactionOf("g-2"), transactionOf("g-4"));
      assertNotEquals(transactionOf("g-1"), transactionOf("g-2"));
    }
  }

  @Test
  void aBatchTheDatabaseRefuses_failsAlone_theOthersOfItsGroupAreJournaled() throws Exception {
    try (Connection blocker = holdTheAppendLock()) {
      CompletableFuture<Appended> first = appendAsync(entry("r-1", "{}"));
      awaitWaitingForTheAppendLock();
      // PostgreSQL text cannot hold a NUL: the statement of any transaction with it fails
      CompletableFuture<Appended> refused = appendAsync(entry("r-\u0000", "{}"));
      awaitQueued(1);
      CompletableFuture<Appended> good = appendAsync(entry("r-2", "{}"));
      awaitQueued(2);
      blocker.commit();

      assertEquals(1, first.get(10, TimeUnit.SECONDS).seqs().size());
      ExecutionException failure =
          assertThrows(ExecutionException.class, () -> refused.get(10, TimeUnit.SECONDS));
      assertInstanceOf(Sql.DatabaseException.class, failure.getCause());
      assertEquals(1, good.get(10, TimeUnit.SECONDS).seqs().size());
    }
  }

  @Test
  void aBatchIsTwoStatementsWhateverItsSize_theLockAndOneInsertOfOneRowPerNewEvent()
      throws Exception {
    CountedStatements counted = new CountedStatements(database.dataSource());
    EventJournal counting = new EventJournal(counted.dataSource(), new MutableClock(NOW));
    for (int events : new int[] {10, 1_000}) {
      List<JournalEntry> batch = new ArrayList<>();
      for (int i = 0; i < events; i++) {
        // three sessions' heartbeats
        batch.add(
            new JournalEntry(
                "count-" + events + "-" + i, "session.heartbeat", NOW, "ann", "s-" + i % 3, "{}"));
      }
      long journalRows = count("SELECT count(*) FROM host_journal");
      counted.clear();

      assertEquals(events, counting.append(batch).seqs().size());
      assertEquals(2, counted.executed().size(), events + " events: " + counted.executed());
      assertEquals(journalRows + events, count("SELECT count(*) FROM host_journal"));

      // a redelivery of half of it with as many new events: still two, a row per new event
      List<JournalEntry> again = new ArrayList<>(batch.subList(0, events / 2));
      batch.subList(0, events / 2).forEach(e -> again.add(entry(e.eventId() + "-new", "{}")));
      counted.clear();
      Appended redelivered = counting.append(again);
      assertEquals(events / 2, redelivered.duplicates());
      assertEquals(2, counted.executed().size(), counted.executed().toString());
      assertEquals(journalRows + events + events / 2, count("SELECT count(*) FROM host_journal"));
    }
    // the journal's entries are its ids: the Kafka journal's id table is not written
    assertEquals(0, count("SELECT count(*) FROM host_event_ids"));
  }

  /** A connection in a transaction that holds the append lock, as an append half-way does. */
  private Connection holdTheAppendLock() throws Exception {
    Connection connection = database.dataSource().getConnection();
    connection.setAutoCommit(false);
    try (Statement statement = connection.createStatement()) {
      statement.execute("SELECT pg_advisory_xact_lock(" + EventJournal.APPEND_LOCK + ")");
    }
    return connection;
  }

  private CompletableFuture<Appended> appendAsync(JournalEntry... entries) {
    return CompletableFuture.supplyAsync(() -> journal.append(List.of(entries)), threads);
  }

  private void awaitQueued(int batches) {
    Await.await(
        Duration.ofSeconds(10),
        Duration.ofMillis(10),
        batches + " batches waiting",
        () -> journal.queuedBatches() >= batches);
  }

  private long transactionOf(String eventId) throws Exception {
    try (Connection connection = database.dataSource().getConnection();
        PreparedStatement statement =
            connection.prepareStatement(
                "SELECT xmin::text::bigint FROM host_journal WHERE event_id = ?")) {
      statement.setString(1, eventId);
      try (ResultSet rows = statement.executeQuery()) {
        assertTrue(rows.next(), eventId + " journaled");
        return rows.getLong(1);
      }
    }
  }

  private void awaitWaitingForTheAppendLock() throws Exception {
    String waiting = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted";
    Await.await(
        Duration.ofSeconds(10),
        Duration.ofMillis(10),
        "the second append waiting for the append lock",
        () -> {
          try (Connection connection = database.dataSource().getConnection();
              PreparedStatement statement = connection.prepareStatement(waiting);
              ResultSet rows = statement.executeQuery()) {
            rows.next();
            return rows.getLong(1) > 0;
          }
        });
  }

  private long count(String query) throws Exception {
    try (Connection connection = database.dataSource().getConnection();
        PreparedStatement statement = connection.prepareStatement(query);
        ResultSet rows = statement.executeQuery()) {
      rows.next();
      return rows.getLong(1);
    }
  }

  private long lastSeq() {
    List<EventJournal.Journaled> all = journal.after(0, 10_000);
    return all.isEmpty() ? 0 : all.get(all.size() - 1).seq();
  }
}
