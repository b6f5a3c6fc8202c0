package io.streamspace.host.journal;

import io.streamspace.common.db.Sql;
import io.streamspace.common.db.Transactions;
import io.streamspace.common.time.InstantText;
import io.streamspace.plugin.api.http.DatabaseOutage;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.SortedSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * The host's journal of accepted platform events ({@code host_journal}): appended by intake, read
 * by each plugin's consumer in the order of {@code seq}. Its unique event ids are what tells a
 * redelivery: an append writes one row per new event and nothing else.
 *
 * <p>Appends are serialized by a transaction-level advisory lock taken before they draw their
 * {@code seq} and held until they commit: entries therefore become visible in {@code seq} order,
 * and a consumer that has read up to {@code n} never finds a smaller {@code seq} committed later
 * (with concurrent appends, numbers drawn first could otherwise commit last and be skipped). On
 * one node, the batches that arrive while a transaction holds the lock are journaled together in
 * the next one (a group commit), so the lock and the fsync are paid once per group.
 */
public final class EventJournal {

  /** The advisory lock key of appends ("journal" in ASCII). */
  static final long APPEND_LOCK = 0x6a6f75726e616cL;

  /**
   * A journaled entry and its position in its partition (a PostgreSQL journal has one partition,
   * 0, and a position is its {@code seq}; on Kafka, the record's partition and offset).
   */
  public record Journaled(int partition, long seq, Instant journaledAt, JournalEntry entry) {

    /** An entry of the PostgreSQL journal, whose one partition is 0. */
    public Journaled(long seq, Instant journaledAt, JournalEntry entry) {
      this(0, seq, journaledAt, entry);
    }
  }

  // One INSERT of the batch's new events is the whole append: the journal's unique event_id is
  // its record of the ids it holds (V13), so a new id costs one row, and an id it holds already
  // inserts nothing. For those, the stored body tells a redelivery from a conflict (one canonical
  // form per event). Positions are drawn in the batch's order; the caller holds APPEND_LOCK, so
  // no other append draws or inserts meanwhile. The stored body is looked up only for the ids not
  // inserted (a CASE runs its subquery only then): a join on the condition probed the event_id
  // index for every event of the batch, a quarter of the statement's page reads.
  private static final String APPEND =
      """
      WITH batch AS (
        SELECT * FROM unnest(?::text[], ?::text[], ?::text[]::timestamptz[], ?::text[], ?::text[],
                             ?::text[])
          WITH ORDINALITY AS b(event_id, event_type, occurred_at, user_id, session_id, body, n)
      ),
      fresh AS (
        INSERT INTO host_journal
          (seq, journaled_at, event_id, event_type, occurred_at, user_id, session_id, body)
        SELECT nextval('host_journal_seq'), ?, event_id, event_type, occurred_at, user_id,
               session_id, body
        FROM batch ORDER BY n
        ON CONFLICT (event_id) DO NOTHING
        RETURNING event_id, seq
      )
      SELECT b.n, f.seq,
             CASE WHEN f.seq IS NULL THEN
               (SELECT k.body = b.body FROM host_journal k WHERE k.event_id = b.event_id)
             END AS same_body
      FROM batch b
      LEFT JOIN fresh f USING (event_id)
      """;

  private static final String COLUMNS =
      "seq, journaled_at, event_id, event_type, occurred_at, user_id, session_id, body";

  // A consumer's round: the entries after a position, in order, each read whole but those at the
  // positions the consumer keeps parsed (an int8multirange), of which it reads the id alone, to
  // check the event: no body sent, none decoded (issue 56). The body is never null otherwise.
  // The positions are parsed once, in a subquery: a cast of the parameter alone was parsed again
  // for every row once the statement's plan is generic (5,000 rows: 4.4 ms against 0.9).
  private static final String ROUND =
      """
      SELECT seq, event_id, journaled_at, event_type, occurred_at, user_id, session_id,
             CASE WHEN (SELECT ?::text::int8multirange) @> seq THEN NULL ELSE body END AS body
      FROM host_journal WHERE seq > ? ORDER BY seq LIMIT ?
      """;

  // the indexes on (user_id, occurred_at) and session_id serve it
  private static final String FIND =
      """
      SELECT %s FROM host_journal
      WHERE (?::text IS NULL OR user_id = ?) AND (?::text IS NULL OR session_id = ?)
        AND occurred_at >= ? AND occurred_at < ?
      ORDER BY occurred_at, seq LIMIT ? OFFSET ?
      """
          .formatted(COLUMNS);

  // the session_id index serves it: one read for every session of a page
  private static final String FIND_OF_SESSIONS =
      """
      SELECT %s FROM host_journal
      WHERE session_id = ANY (?) AND occurred_at >= ? AND occurred_at < ?
      ORDER BY occurred_at, seq LIMIT ?
      """
          .formatted(COLUMNS);

  /** The most entries one group commit journals (a batch larger than this goes alone). */
  static final int MAX_GROUP_ENTRIES = 10_000;

  // what journal() says of an entry that is not journaled (positions are positive)
  private static final long DUPLICATE = 0;
  private static final long CONFLICT = -1;

  private final DataSource dataSource;
  private final Clock clock;
  // the batches waiting to be journaled, and who journals them: one group at a time
  private final Queue<Pending> queued = new ConcurrentLinkedQueue<>();
  private final ReentrantLock appending = new ReentrantLock();

  public EventJournal(DataSource dataSource, Clock clock) {
    this.dataSource = dataSource;
    this.clock = clock;
  }

  /**
   * Journals a batch, committed (synchronously) when this returns. An id seen before, in the
   * journal, earlier in the batch or in a batch journaled before it, is not journaled again.
   *
   * <p>Batches that arrive while another group is being committed wait for it, then go together
   * in one transaction (a group commit: the lock, the statement and the fsync are paid once per
   * group rather than per batch). Each batch is told what became of its own entries, as if the
   * group's batches had been journaled one after another in the order they arrived.
   *
   * @throws Sql.DatabaseException when the batch could not be journaled: nothing of it was
   */
  public Appended append(List<JournalEntry> entries) {
    return append(entries, (index, partition, seq) -> {});
  }

  /**
   * Journals a batch as {@link #append(List)} does, telling {@code positioned} each new entry's
   * position in the transaction that journals it, before it commits: no consumer can have read
   * an entry before its position is told (this node's consumers then find its event kept as
   * parsed, whichever batch of a group woke them).
   */
  public Appended append(List<JournalEntry> entries, Journal.Positioned positioned) {
    Pending mine = new Pending(entries, positioned);
    queued.add(mine);
    appending.lock();
    try {
      // a group journals the batches waiting then, this one among them unless it came late
      while (!mine.done()) {
        journalGroup(nextGroup());
      }
    } finally {
      appending.unlock();
    }
    return mine.outcome();
  }

  /** How many batches wait for their group to be journaled (tests watch it). */
  int queuedBatches() {
    return queued.size();
  }

  /** The batches waiting, in the order they arrived, up to {@link #MAX_GROUP_ENTRIES}. */
  private List<Pending> nextGroup() {
    List<Pending> group = new ArrayList<>();
    int size = 0;
    Pending next;
    while ((next = queued.peek()) != null
        && (group.isEmpty() || size + next.rows.size() <= MAX_GROUP_ENTRIES)) {
      group.add(queued.poll());
      size += next.rows.size();
    }
    return group;
  }

  private void journalGroup(List<Pending> group) {
    List<Row> all = new ArrayList<>();
    group.forEach(pending -> all.addAll(pending.rows));
    long[] outcomes;
    try {
      outcomes = journal(all, journaled -> tellPositions(group, journaled));
    } catch (RuntimeException e) {
      if (group.size() == 1 || DatabaseOutage.causedBy(e)) {
        // an outage is no batch's doing: alone, each would only wait for the database again
        group.forEach(pending -> pending.failure = e);
      } else {
        // one batch the database refuses must not fail the others: each goes alone
        group.forEach(pending -> journalGroup(List.of(pending)));
      }
      return;
    } catch (Error e) {
      // the batches of others are answered too, not left waiting for a group that never comes
      group.forEach(pending -> pending.failure = new IllegalStateException("journaling failed", e));
      throw e;
    }
    int offset = 0;
    for (Pending pending : group) {
      pending.appended = appended(outcomes, offset, pending.rows.size());
      offset += pending.rows.size();
    }
  }

  /** Tells each batch of a group the positions of its new entries. */
  private static void tellPositions(List<Pending> group, long[] outcomes) {
    int offset = 0;
    for (Pending pending : group) {
      for (int i = 0; i < pending.rows.size(); i++) {
        if (outcomes[offset + i] > 0) {
          pending.positioned.at(i, 0, outcomes[offset + i]);
        }
      }
      offset += pending.rows.size();
    }
  }

  /**
   * An entry with its columns that take work to compute, computed by the thread that journals it
   * before it waits for the append lock, so that they are not computed while it is held.
   */
  private record Row(JournalEntry entry, String occurredAt) {
    Row(JournalEntry entry) {
      this(entry, InstantText.of(entry.occurredAt()));
    }
  }

  /** A batch waiting for its group, then what became of it. */
  private static final class Pending {
    final List<Row> rows;
    final Journal.Positioned positioned;
    Appended appended;
    RuntimeException failure;

    Pending(List<JournalEntry> entries, Journal.Positioned positioned) {
      this.rows = entries.stream().map(Row::new).toList();
      this.positioned = positioned;
    }

    boolean done() {
      return appended != null || failure != null;
    }

    Appended outcome() {
      if (failure != null) {
        throw failure;
      }
      return appended;
    }
  }

  private static Appended appended(long[] outcomes, int offset, int size) {
    Map<Integer, Long> seqs = new HashMap<>();
    List<Integer> conflicts = new ArrayList<>();
    int duplicates = 0;
    for (int i = 0; i < size; i++) {
      long outcome = outcomes[offset + i];
      if (outcome == DUPLICATE) {
        duplicates++;
      } else if (outcome == CONFLICT) {
        conflicts.add(i);
      } else {
        seqs.put(i, outcome);
      }
    }
    return new Appended(seqs, Map.of(), duplicates, conflicts);
  }

  /**
   * Journals entries in one transaction under the append lock.
   *
   * @param beforeCommit given the outcomes once they are known, before the transaction commits
   * @return for each entry, its position, or {@link #DUPLICATE} or {@link #CONFLICT}
   */
  private long[] journal(List<Row> rows, Consumer<long[]> beforeCommit) {
    long[] outcomes = new long[rows.size()];
    // the first entry of an id stands for it; later ones repeat it or conflict
    Map<String, Integer> first = new HashMap<>();
    List<Integer> distinct = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      Integer earlier = first.putIfAbsent(rows.get(i).entry().eventId(), i);
      if (earlier == null) {
        distinct.add(i);
      } else {
        boolean same = rows.get(earlier).entry().body().equals(rows.get(i).entry().body());
        outcomes[i] = same ? DUPLICATE : CONFLICT;
      }
    }
    if (distinct.isEmpty()) {
      return outcomes;
    }
    try {
      Transactions.<Void, RuntimeException>inTransaction(
          dataSource,
          connection -> {
            try (PreparedStatement lock =
                Sql.prepare(connection, "SELECT pg_advisory_xact_lock(?)", APPEND_LOCK)) {
              lock.execute();
            }
            try (PreparedStatement append = bindAppend(connection, rows, distinct);
                ResultSet results = append.executeQuery()) {
              while (results.next()) {
                int index = distinct.get(results.getInt(1) - 1);
                long seq = results.getLong(2);
                if (!results.wasNull()) {
                  outcomes[index] = seq;
                } else {
                  outcomes[index] = results.getBoolean(3) ? DUPLICATE : CONFLICT;
                }
              }
            }
            beforeCommit.accept(outcomes);
            return null;
          });
    } catch (SQLException e) {
      throw Sql.failure("journaling a batch of events", e);
    }
    return outcomes;
  }

  private PreparedStatement bindAppend(Connection connection, List<Row> rows, List<Integer> indexes)
      throws SQLException {
    int n = indexes.size();
    String[][] columns = new String[6][n];
    for (int i = 0; i < n; i++) {
      Row row = rows.get(indexes.get(i));
      JournalEntry entry = row.entry();
      columns[0][i] = entry.eventId();
      columns[1][i] = entry.type();
      columns[2][i] = row.occurredAt();
      columns[3][i] = entry.userId();
      columns[4][i] = entry.sessionId();
      columns[5][i] = entry.body();
    }
    Object[] params = new Object[columns.length + 1];
    for (int c = 0; c < columns.length; c++) {
      params[c] = connection.createArrayOf("text", columns[c]);
    }
    params[columns.length] = Timestamp.from(clock.instant());
    return Sql.prepare(connection, APPEND, params);
  }

  /**
   * A position of a consumer's round: its event's id, and its entry, or null where the consumer
   * keeps the event as parsed (then its entry was not read).
   */
  public record Position(long seq, String eventId, Journaled journaled) {}

  /** Up to {@code limit} entries after position {@code seq}, in order. */
  public List<Journaled> after(long seq, int limit) {
    return round(seq, limit, Collections.emptySortedSet()).stream()
        .map(Position::journaled)
        .toList();
  }

  /**
   * The positions of up to {@code limit} entries after position {@code seq}, in order, with the
   * entry of each but those at the positions in {@code kept}, of which only the id is read.
   */
  public List<Position> round(long seq, int limit, SortedSet<Long> kept) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = Sql.prepare(connection, ROUND, ranges(kept), seq, limit);
        ResultSet rows = statement.executeQuery()) {
      List<Position> round = new ArrayList<>();
      while (rows.next()) {
        long at = rows.getLong("seq");
        String eventId = rows.getString("event_id");
        // a body is never null: null is the position of an event kept
        round.add(new Position(at, eventId, rows.getString("body") == null ? null : read(rows)));
      }
      return round;
    } catch (SQLException e) {
      throw Sql.failure("reading the event journal", e);
    }
  }

  /** Positions as an int8multirange's text: each run of consecutive positions one range. */
  private static String ranges(SortedSet<Long> positions) {
    StringBuilder text = new StringBuilder("{");
    long from = 0;
    long to = 0; // the run [from, to) so far, empty at first
    for (long position : positions) {
      if (position != to) {
        appendRange(text, from, to);
        from = position;
      }
      to = position + 1;
    }
    appendRange(text, from, to);
    return text.append('}').toString();
  }

  private static void appendRange(StringBuilder text, long from, long to) {
    if (from < to) {
      text.append(text.length() > 1 ? "," : "").append('[').append(from).append(',').append(to);
      text.append(')');
    }
  }

  /**
   * What support asks for: the journaled events of a user or a session that occurred in {@code
   * [from, to)}, oldest first.
   *
   * @param userId    null for any user (then {@code sessionId} is given)
   * @param sessionId null for any session of the user
   */
  public List<Journaled> find(
      String userId, String sessionId, Instant from, Instant to, int limit, int offset) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement =
            Sql.prepare(
                connection,
                FIND,
                userId,
                userId,
                sessionId,
                sessionId,
                Timestamp.from(from),
                Timestamp.from(to),
                limit,
                offset);
        ResultSet rows = statement.executeQuery()) {
      return journaled(rows);
    } catch (SQLException e) {
      throw Sql.failure("searching the event journal", e);
    }
  }

  /**
   * The journaled events of these sessions that occurred in {@code [from, to)}, oldest first (ties
   * in journal order), at most {@code limit}: one statement whatever the number of sessions.
   */
  public List<Journaled> findOfSessions(
      Collection<String> sessionIds, Instant from, Instant to, int limit) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = connection.prepareStatement(FIND_OF_SESSIONS)) {
      statement.setArray(1, connection.createArrayOf("text", sessionIds.toArray()));
      statement.setTimestamp(2, Timestamp.from(from));
      statement.setTimestamp(3, Timestamp.from(to));
      statement.setInt(4, limit);
      try (ResultSet rows = statement.executeQuery()) {
        return journaled(rows);
      }
    } catch (SQLException e) {
      throw Sql.failure("searching the event journal", e);
    }
  }

  private static List<Journaled> journaled(ResultSet rows) throws SQLException {
    List<Journaled> found = new ArrayList<>();
    while (rows.next()) {
      found.add(read(rows));
    }
    return found;
  }

  private static Journaled read(ResultSet row) throws SQLException {
    return new Journaled(
        row.getLong("seq"),
        row.getTimestamp("journaled_at").toInstant(),
        new JournalEntry(
            row.getString("event_id"),
            row.getString("event_type"),
            row.getTimestamp("occurred_at").toInstant(),
            row.getString("user_id"),
            row.getString("session_id"),
            row.getString("body")));
  }
}
