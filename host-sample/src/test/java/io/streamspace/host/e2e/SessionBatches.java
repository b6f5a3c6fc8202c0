package io.streamspace.host.e2e;

import static io.streamspace.host.e2e.UsageLines.amount;
import static io.streamspace.host.e2e.UsageLines.line;
import static io.streamspace.host.e2e.UsageLines.quantity;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The fault tests' traffic, and the usage it makes figured by hand: batches of sessions of 1 core
 * and 2 GB, each created and terminated an hour later, so that each session costs {@link
 * #SESSION_COST} and one hour of cpu and two of memory, whichever node or journal takes it.
 */
final class SessionBatches {

  /** Each session: 1 core and 2 GB for one hour, 1 × 0.05 + 2 × 0.01 USD. */
  static final BigDecimal SESSION_COST = new BigDecimal("0.07");

  private SessionBatches() {}

  /** A batch of sessions, and the user of each. */
  record Batch(List<Map<String, Object>> events, List<String> users) {
    List<String> eventIds() {
      return events.stream().map(event -> (String) event.get("id")).toList();
    }
  }

  /**
   * {@code count} batches of {@code sessionsPerBatch} sessions of client {@code client} (session
   * ids start with it), spread over {@code users} users in turn, each starting at {@code start}.
   */
  static List<Batch> batches(
      String client, int count, int sessionsPerBatch, int users, Instant start) {
    List<Batch> batches = new ArrayList<>();
    for (int b = 0; b < count; b++) {
      List<Map<String, Object>> events = new ArrayList<>();
      List<String> usersOfBatch = new ArrayList<>();
      for (int s = 0; s < sessionsPerBatch; s++) {
        String session = client + "-" + b + "-" + s;
        String user = user(s % users);
        usersOfBatch.add(user);
        events.add(Events.sessionCreated(session, user, start, "1", "2", "0"));
        events.add(Events.sessionTerminated(session, user, start.plus(1, ChronoUnit.HOURS)));
      }
      batches.add(new Batch(events, usersOfBatch));
    }
    return batches;
  }

  /** User {@code index} of the batches. */
  static String user(int index) {
    return "user-" + index;
  }

  /** The sessions of these batches, by user. */
  static Map<String, Integer> sessionsByUser(Collection<Batch> batches) {
    Map<String, Integer> sessionsByUser = new TreeMap<>();
    for (Batch batch : batches) {
      batch.users().forEach(user -> sessionsByUser.merge(user, 1, Integer::sum));
    }
    return sessionsByUser;
  }

  /** The event ids of these batches. */
  static List<String> eventIds(Collection<Batch> batches) {
    List<String> ids = new ArrayList<>();
    batches.forEach(batch -> ids.addAll(batch.eventIds()));
    return ids;
  }

  static int sessionsOf(Map<String, Integer> sessionsByUser) {
    return sessionsByUser.values().stream().mapToInt(Integer::intValue).sum();
  }

  /**
   * Asserts each user's usage of the sessions' day, as the user reads it from {@code api}: the
   * cost, the cpu hours and the memory GB-hours of its sessions, each billed once.
   */
  static void assertBilledOnce(
      BillingApi api, Instant sessionStart, Map<String, Integer> sessionsByUser) {
    LocalDate day = LocalDate.ofInstant(sessionStart, ZoneOffset.UTC);
    for (var user : sessionsByUser.entrySet()) {
      JsonNode usage =
          api.usage(api.token(user.getKey(), "user"), "?from=" + day + "&to=" + day.plusDays(1))
              .expect(200);
      int sessions = user.getValue();
      assertEquals(costOf(sessions), amount(usage, "total_cost"), usage.toString());
      assertEquals(hours(sessions), quantity(line(usage, "cpu")));
      assertEquals(hours(2L * sessions), quantity(line(usage, "memory")));
    }
  }

  /** A quantity as {@link UsageLines#quantity} reads it. */
  static BigDecimal hours(long hours) {
    return BigDecimal.valueOf(hours).stripTrailingZeros();
  }

  static String costOf(int sessions) {
    return SESSION_COST.multiply(BigDecimal.valueOf(sessions)).toPlainString();
  }
}
