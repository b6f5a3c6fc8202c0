package io.streamspace.billing.metering;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.billing.metering.MeteringBatch.SessionRow;
import io.streamspace.billing.metering.MeteringBatch.SizeRow;
import io.streamspace.billing.metering.MeteringEvent.SessionSignal;
import io.streamspace.billing.metering.MeteringEvent.SessionSignalKind;
import io.streamspace.billing.support.TestDatabase;
import io.streamspace.plugin.api.event.ResourceSize;
import io.streamspace.plugin.api.event.SessionEvent;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A batch holds its sessions in the order PostgreSQL sorts their ids, and locks them in it. */
class StoredKeyOrderTest {

  // "sa", "s" + U+FF21 (UTF-8 EF BC A1) and "s" + U+1F600 (F0 9F 98 80): by bytes in that
  // order; String.compareTo puts U+1F600 (the surrogates D83D DE00) before U+FF21
  private static final String ASCII = "sa";
  private static final String FULLWIDTH_A = "s\uFF21";
  private static final String EMOJI = "s\uD83D\uDE00";

  @Test
  void aBatchsSessionsAreInTheOrderPostgresqlSortsTheirIdsIn() throws Exception {
    List<MeteringEvent> events = new ArrayList<>();
    for (String session : List.of(EMOJI, FULLWIDTH_A, ASCII)) {
      events.add(
          new SessionSignal(
              SessionSignalKind.HEARTBEAT,
              new SessionEvent(
                  "e-" + session,
                  Instant.parse("2026-03-02T10:00:00Z"),
                  session,
                  "u",
                  new ResourceSize(BigDecimal.ONE, BigDecimal.ONE, BigDecimal.ONE, null))));
    }

    MeteringBatch batch = MeteringBatch.of(events, "USD", "payg");
    List<String> sessions = batch.sessions().stream().map(SessionRow::sessionId).toList();

    assertEquals(List.of(ASCII, FULLWIDTH_A, EMOJI), sessions);
    assertEquals(sortedByPostgresql(List.of(EMOJI, ASCII, FULLWIDTH_A)), sessions);
    assertEquals(
        sessions,
        batch.sizes().stream().map(SizeRow::sessionId).toList(),
        "the sessions' sizes in the same order");
  }

  @Test
  void idsMadeOfCharactersAcrossTheRanges_sortAsPostgresqlSortsThem() throws Exception {
    // ASCII, the last unit before the surrogates, the first and last after them, the first and
    // last characters beyond U+FFFF, and two that share their lead surrogate (D83D)
    List<String> characters =
        List.of(
            "a",
            "\uD7FF",
            "\uE000",
            "\uFFFF",
            "\uD800\uDC00",
            "\uDBFF\uDFFF",
            "\uD83D\uDE00",
            "\uD83D\uDE4F");
    List<String> ids = new ArrayList<>();
    for (String first : characters) {
      for (String second : characters) {
        ids.add("s-" + first + second);
      }
      ids.add("s-" + first);
    }

    List<String> sorted = new ArrayList<>(ids);
    sorted.sort(StoredKeyOrder.BY_CODE_POINT);

    assertEquals(sortedByPostgresql(ids), sorted);
  }

  private static List<String> sortedByPostgresql(List<String> ids) throws Exception {
    try (Connection c = TestDatabase.dataSource().getConnection();
        PreparedStatement s =
            c.prepareStatement("SELECT id FROM unnest(?::text[]) id ORDER BY id COLLATE \"C\"")) {
      s.setArray(1, c.createArrayOf("text", ids.toArray()));
      List<String> sorted = new ArrayList<>();
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          sorted.add(rs.getString(1));
        }
      }
      return sorted;
    }
  }
}
