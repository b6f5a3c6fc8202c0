package io.streamspace.host.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.host.support.EmbeddedDatabaseFolder;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Sessions a test posts to a {@code java -jar} host and finds again after the host crashed or
 * stopped ({@link CrashRecoveryIT}, {@link HostStopsIT}).
 */
final class AcknowledgedSessions {

  static final int BATCH_SIZE = 50;

  private AcknowledgedSessions() {}

  /**
   * Posts {@code batches} batches of {@value #BATCH_SIZE} new sessions and answers their ids, each
   * batch acknowledged (202).
   */
  static List<String> post(HostProcess host, String adminToken, String prefix, int batches) {
    BillingApi api = new BillingApi(host.port, adminToken);
    String platformToken = api.token("platform-1", "platform");
    Instant at = Instant.now().minus(10, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS);
    List<String> acknowledged = new ArrayList<>();
    for (int batch = 0; batch < batches; batch++) {
      List<Map<String, Object>> events = new ArrayList<>();
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < BATCH_SIZE; i++) {
        String session = prefix + "-" + batch + "-" + i;
        ids.add(session);
        events.add(Events.sessionCreated(session, prefix + "-user-" + i % 10, at, "1", "2", "0"));
      }
      assertEquals(BATCH_SIZE, api.postEvents(platformToken, events).get("accepted").asInt());
      acknowledged.addAll(ids);
    }
    return acknowledged;
  }

  /** Asserts that every one of {@code acknowledged} is a session billing stored. */
  static void assertAllStored(EmbeddedDatabaseFolder database, List<String> acknowledged)
      throws SQLException {
    Set<String> stored = new HashSet<>();
    try (Connection connection = database.connect();
        ResultSet rows =
            connection.createStatement().executeQuery("SELECT session_id FROM billing_sessions")) {
      while (rows.next()) {
        stored.add(rows.getString(1));
      }
    }
    List<String> lost = acknowledged.stream().filter(id -> !stored.contains(id)).toList();
    assertEquals(
        0,
        lost.size(),
        lost.size()
            + " of "
            + acknowledged.size()
            + " acknowledged sessions lost, first "
            + lost.subList(0, Math.min(5, lost.size())));
  }
}
