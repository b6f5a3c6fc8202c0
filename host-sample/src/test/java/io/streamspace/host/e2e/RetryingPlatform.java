package io.streamspace.host.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.host.support.HostClient;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A platform that keeps posting batches of new sessions, each one core for one hour from a given
 * start, on a thread of its own: a batch answered otherwise than 202 is posted again once its
 * {@code Retry-After} has passed, until it is accepted, as a platform honouring it does.
 */
final class RetryingPlatform implements AutoCloseable {

  /** One answer to a post; the instants are {@link System#nanoTime()}. */
  record Answer(long sentAt, long answeredAt, int status, Optional<String> retryAfter) {}

  /**
   * What became of the platform's events: {@code accepted} events answered 202, {@code refused}
   * posts, those of them {@code journaled}, the sessions {@code billed}; {@code lost} counts the
   * acknowledged events not journaled and sessions not billed in full, {@code doubled} events
   * journaled twice and sessions billed more than once.
   */
  record Tally(int accepted, long refused, int journaled, int billed, int lost, int doubled) {
    @Override
    public String toString() {
      return "accepted %d events, refused %d posts (503), journaled %d events, billed %d sessions,"
              .formatted(accepted, refused, journaled, billed)
          + " lost %d, doubled %d".formatted(lost, doubled);
    }
  }

  /** A session's one core for one hour, in the core-seconds usage records keep. */
  private static final BigDecimal ONE_CORE_HOUR = BigDecimal.valueOf(3600);

  private static final int SESSIONS_PER_BATCH = 5;
  private static final Duration BETWEEN_BATCHES = Duration.ofMillis(100);
  private static final Duration WAIT_MOST = Duration.ofSeconds(30);

  private final HostClient http;
  private final String token;
  private final String user;
  private final Instant sessionsStart;
  private final Thread thread = new Thread(this::postBatches, "platform");
  private final Set<String> acknowledgedEvents = ConcurrentHashMap.newKeySet();
  private final Set<String> acknowledgedSessions = ConcurrentHashMap.newKeySet();
  private final List<Answer> answers = new CopyOnWriteArrayList<>();
  private int acceptedBatches; // guarded by this
  private volatile boolean stopping;
  private volatile Exception failure;

  private RetryingPlatform(HostClient http, String token, String user, Instant sessionsStart) {
    this.http = http;
    this.token = token;
    this.user = user;
    this.sessionsStart = sessionsStart;
  }

  /** Starts posting sessions of {@code user} as the platform whose token is {@code token}. */
  static RetryingPlatform start(HostClient http, String token, String user, Instant start) {
    RetryingPlatform platform = new RetryingPlatform(http, token, user, start);
    platform.thread.start();
    return platform;
  }

  synchronized int acceptedBatches() {
    return acceptedBatches;
  }

  /** Waits until {@code count} batches were accepted in all. */
  synchronized void awaitAcceptedBatches(int count) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT_MOST.toNanos();
    while (acceptedBatches < count && failure == null) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("only " + acceptedBatches + " batches accepted: " + answers);
      }
      wait(Math.max(1, Duration.ofNanos(left).toMillis()));
    }
  }

  /** The ids of the events answered 202. */
  Set<String> acknowledgedEvents() {
    return acknowledgedEvents;
  }

  /** The sessions whose events were answered 202. */
  Set<String> acknowledgedSessions() {
    return acknowledgedSessions;
  }

  List<Answer> answers() {
    return answers;
  }

  /** Posts answered otherwise than 202. */
  long refused() {
    return answers.stream().filter(answer -> answer.status() != 202).count();
  }

  /**
   * What became of this platform's events, read from the host's database: each acknowledged event
   * journaled once, each acknowledged session billed its one core-hour once (once
   * calculate-usage has run)?
   */
  Tally tally(Connection db) throws SQLException {
    Map<String, Integer> journaled = new HashMap<>();
    Map<String, BigDecimal> coreSeconds = new HashMap<>();
    try (PreparedStatement events =
            db.prepareStatement(
                "SELECT event_id, count(*) FROM host_journal WHERE user_id = ? GROUP BY event_id");
        PreparedStatement billed =
            db.prepareStatement(
                """
                SELECT s.session_id, coalesce(sum(u.unit_seconds), 0)
                FROM billing_sessions s
                LEFT JOIN billing_usage_records u
                  ON u.session_id = s.session_id AND u.resource_type = 'cpu'
                WHERE s.user_id = ?
                GROUP BY s.session_id""")) {
      events.setString(1, user);
      try (ResultSet rows = events.executeQuery()) {
        while (rows.next()) {
          journaled.put(rows.getString(1), rows.getInt(2));
        }
      }
      billed.setString(1, user);
      try (ResultSet rows = billed.executeQuery()) {
        while (rows.next()) {
          coreSeconds.put(rows.getString(1), rows.getBigDecimal(2));
        }
      }
    }
    int journaledEvents = 0;
    int billedSessions = 0;
    int lost = 0;
    int doubled = 0;
    for (String id : acknowledgedEvents) {
      int times = journaled.getOrDefault(id, 0);
      journaledEvents += Math.min(times, 1);
      lost += times == 0 ? 1 : 0;
      doubled += times > 1 ? 1 : 0;
    }
    for (String session : acknowledgedSessions) {
      BigDecimal billed = coreSeconds.getOrDefault(session, BigDecimal.ZERO);
      billedSessions += billed.signum();
      lost += billed.compareTo(ONE_CORE_HOUR) < 0 ? 1 : 0;
      doubled += billed.compareTo(ONE_CORE_HOUR) > 0 ? 1 : 0;
    }
    return new Tally(
        acknowledgedEvents.size(), refused(), journaledEvents, billedSessions, lost, doubled);
  }

  /**
   * Asserts the user's usage of the sessions' day as {@code api} answers it, figured by hand:
   * one core-hour and its price ({@code coreHour}) for each acknowledged session, once.
   */
  void assertBilledOnce(BillingApi api, BigDecimal coreHour) {
    int sessions = acknowledgedSessions.size();
    LocalDate day = LocalDate.ofInstant(sessionsStart, ZoneOffset.UTC);
    JsonNode usage =
        api.usage(api.token(user, "user"), "?from=" + day + "&to=" + day.plusDays(1)).expect(200);
    assertEquals(
        BigDecimal.valueOf(sessions).stripTrailingZeros(),
        UsageLines.quantity(UsageLines.line(usage, "cpu")),
        usage.toString());
    assertEquals(
        coreHour.multiply(new BigDecimal(sessions)).setScale(2, RoundingMode.UNNECESSARY),
        new BigDecimal(UsageLines.amount(usage, "total_cost")),
        usage.toString());
  }

  /** Stops once the batch in progress is accepted; fails if the platform could not go on. */
  @Override
  public void close() throws Exception {
    stopping = true;
    thread.join(WAIT_MOST.toMillis());
    if (failure != null) {
      throw failure;
    }
  }

  private void postBatches() {
    try {
      for (int batch = 0; !stopping; batch++) {
        List<Map<String, Object>> events = new ArrayList<>();
        List<String> sessions = new ArrayList<>();
        for (int i = 0; i < SESSIONS_PER_BATCH; i++) {
          String session = user + "-" + batch + "-" + i;
          sessions.add(session);
          events.add(Events.sessionCreated(session, user, sessionsStart, "1", "0", "0"));
          events.add(
              Events.sessionTerminated(session, user, sessionsStart.plus(Duration.ofHours(1))));
        }
        postUntilAccepted(HostClient.json(events));
        events.forEach(event -> acknowledgedEvents.add((String) event.get("id")));
        acknowledgedSessions.addAll(sessions);
        synchronized (this) {
          acceptedBatches++;
          notifyAll();
        }
        Thread.sleep(BETWEEN_BATCHES.toMillis());
      }
    } catch (Exception e) {
      failure = e;
      synchronized (this) {
        notifyAll();
      }
    }
  }

  private void postUntilAccepted(String batch) throws InterruptedException {
    while (true) {
      long sentAt = System.nanoTime();
      HostClient.Response answer = http.post("/api/platform/events", token, batch);
      Optional<String> retryAfter = answer.header("Retry-After");
      answers.add(new Answer(sentAt, System.nanoTime(), answer.status(), retryAfter));
      if (answer.status() == 202) {
        return;
      }
      Thread.sleep(Duration.ofSeconds(Long.parseLong(retryAfter.orElse("5"))).toMillis());
    }
  }
}
