package io.streamspace.benchmark;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * The platform traffic of the intake workloads: sessions of distinct ids (ten an account), each
 * created in round 0, then a heartbeat a round, 1,000 events a batch from the {@link
 * EventSender}'s clients until a deadline; then each session ended. Checks that the host accepted
 * every event and journaled it once.
 */
final class SessionTraffic {

  /**
   * How long the Kafka journal's index may go without writing an entry before the check fails:
   * after a burst it writes behind intake for minutes (it wrote about 14,000 events/s while
   * intake-with-rating journaled 82,000), so the check waits as long as it moves.
   */
  private static final Duration INDEX_STALL = Duration.ofMinutes(1);

  private static final Duration INDEX_POLL = Duration.ofMillis(200);

  /** How often a long wait for the index says where it is. */
  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(30);

  private final String prefix;
  private final int perRound;
  private final Instant openedAt;

  /**
   * @param prefix the ids' prefix, the workload's own
   * @param sessions how many sessions, a multiple of {@link EventSender#BATCH}
   * @param openedAt when the sessions were created (their heartbeats and ends are sent as now)
   */
  SessionTraffic(String prefix, int sessions, Instant openedAt) {
    this.prefix = prefix;
    this.perRound = sessions / EventSender.BATCH;
    this.openedAt = openedAt;
  }

  /** How many batches create the sessions: the first of {@link #sustain}'s. */
  int creationBatches() {
    return perRound;
  }

  /**
   * Creates the sessions, then posts heartbeat rounds until {@code deadline} (nanoTime): the
   * batches sent, the creation round's first.
   */
  EventSender.Sent sustain(EventSender sender, long deadline) throws Exception {
    EventSender.Sent created = sender.send(perRound, this::batch);
    return created.plus(sender.send(Integer.MAX_VALUE, b -> batch(b + perRound), deadline));
  }

  /** Ends every session. */
  void end(EventSender sender) throws Exception {
    sender.send(perRound, this::ended);
  }

  /**
   * Batch {@code b}: the sessions of part {@code b % perRound}, created in round 0, a heartbeat
   * in each later round.
   */
  List<ObjectNode> batch(int b) {
    int round = b / perRound;
    int first = (b % perRound) * EventSender.BATCH;
    Instant now = Instant.now();
    List<ObjectNode> events = new ArrayList<>(EventSender.BATCH);
    for (int s = first; s < first + EventSender.BATCH; s++) {
      String id = prefix + s + "-" + round;
      events.add(
          round == 0
              ? BenchEvents.sessionCreated(id, session(s), user(s), openedAt, "1", "2", "0")
              : BenchEvents.heartbeat(id, session(s), user(s), now));
    }
    return events;
  }

  private List<ObjectNode> ended(int b) {
    int first = b * EventSender.BATCH;
    Instant now = Instant.now();
    List<ObjectNode> events = new ArrayList<>(EventSender.BATCH);
    for (int s = first; s < first + EventSender.BATCH; s++) {
      events.add(BenchEvents.terminated(prefix + s + "-end", session(s), user(s), now));
    }
    return events;
  }

  private String session(int s) {
    return prefix + "s" + s;
  }

  private String user(int s) {
    return prefix + "u" + s / 10;
  }

  /**
   * Every event sent was accepted and the journal holds each exactly once: the PostgreSQL
   * journal's table, or on Kafka the journal's index in that table, which the host's index
   * consumer writes from the topic behind intake (waited for while it writes, failing once it
   * has written nothing for {@link #INDEX_STALL}).
   */
  void checkJournaledOnce(
      DataSource dataSource, EventSender.Sent sent, BenchContext.Progress progress)
      throws SQLException, InterruptedException {
    if (sent.accepted() != sent.events()) {
      throw new IllegalStateException(
          String.format(
              "the host accepted %,d of the %,d events sent", sent.accepted(), sent.events()));
    }
    long[] counted = journaled(dataSource);
    long moved = System.nanoTime();
    long told = moved;
    while (counted[0] < sent.events() && System.nanoTime() - moved < INDEX_STALL.toNanos()) {
      Thread.sleep(INDEX_POLL.toMillis());
      long before = counted[0];
      counted = journaled(dataSource);
      long now = System.nanoTime();
      if (counted[0] > before) {
        moved = now;
      }
      if (now - told > PROGRESS_EVERY.toNanos()) {
        progress.line(
            String.format(
                "the journal's index holds %,d of the %,d events; waiting while it writes",
                counted[0], sent.events()));
        told = now;
      }
    }
    if (counted[0] != sent.events() || counted[1] != sent.events()) {
      throw new IllegalStateException(
          String.format(
              "%,d events accepted, the journal holds %,d entries of %,d ids",
              sent.events(), counted[0], counted[1]));
    }
  }

  /** The journal's entries of this traffic, and their distinct ids. */
  private long[] journaled(DataSource dataSource) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement count =
            connection.prepareStatement(
                "SELECT count(*), count(DISTINCT event_id) FROM host_journal"
                    + " WHERE event_id LIKE ?")) {
      count.setString(1, prefix + "%");
      try (ResultSet rows = count.executeQuery()) {
        rows.next();
        return new long[] {rows.getLong(1), rows.getLong(2)};
      }
    }
  }

  /** The ids' common prefix: the workload's own. */
  String prefix() {
    return prefix;
  }
}
