package io.streamspace.billing.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.billing.support.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class NamedSqlTest {

  @Test
  void eachUseOfANameBecomesOnePlaceholder() {
    NamedSql sql = NamedSql.of("SELECT :cap, :from_t WHERE x < :cap AND y > :cap");

    assertEquals("SELECT ?, ? WHERE x < ? AND y > ?", sql.jdbcSql());
    assertEquals(List.of("cap", "from_t"), sql.names());
  }

  @Test
  void castsAreNotParameters() {
    NamedSql sql = NamedSql.of("SELECT :cap::timestamptz, :rates::text[]::numeric[], x::text");

    assertEquals("SELECT ?::timestamptz, ?::text[]::numeric[], x::text", sql.jdbcSql());
    assertEquals(List.of("cap", "rates"), sql.names());
  }

  @Test
  void colonsInLiteralsQuotedIdentifiersAndCommentsAreLeftAlone() {
    String text =
        """
        -- the cap: what :cap is, and why?
        SELECT 'at 10:30', 'it''s :not', E'\\' :still_not', "odd:name", $$ :body $$,
               $fn$ :x $fn$, /* :a /* :nested */ :b */ :real, '{1,2}'::int[]
        """;

    NamedSql sql = NamedSql.of(text);

    assertEquals(List.of("real"), sql.names());
    assertEquals(text.replace(":real", "?"), sql.jdbcSql());
  }

  @Test
  void anArraySliceIsNoParameter() {
    assertEquals(List.of(), NamedSql.of("SELECT a[1:2], a[lo : hi] FROM t").names());
  }

  @Test
  void aPositionalPlaceholderIsRefused() {
    IllegalArgumentException refused =
        assertThrows(
            IllegalArgumentException.class, () -> NamedSql.of("SELECT * FROM t WHERE id = ?"));

    assertTrue(refused.getMessage().contains("positional ?"), refused.getMessage());
  }

  @Test
  void bindingAnUnknownNameIsRefusedNamingIt() {
    NamedSql sql = NamedSql.of("SELECT :cap");

    IllegalArgumentException refused =
        assertThrows(IllegalArgumentException.class, () -> sql.bind("limit", 3));

    assertEquals("the statement has no parameter :limit (it has :cap)", refused.getMessage());
  }

  @Test
  void aMissingParameterIsRefusedNamingItBeforeAnythingIsSent() throws SQLException {
    NamedSql sql = NamedSql.of("SELECT :cap, :floor");

    try (Connection connection = TestDatabase.dataSource().getConnection()) {
      IllegalStateException refused =
          assertThrows(IllegalStateException.class, () -> sql.bind("cap", 1).prepare(connection));

      assertEquals("parameter :floor is not bound", refused.getMessage());
    }
  }

  @Test
  void aValueBoundOnceReachesEveryUseAndInstantsAreTimestamptz() throws SQLException {
    Instant cap = Instant.parse("2026-03-02T09:01:00Z");
    NamedSql sql =
        NamedSql.of(
            """
            SELECT :cap::timestamptz = :cap, :cap::timestamptz + interval '1 hour',
                   'keeps :cap', :n * :n""");

    try (Connection connection = TestDatabase.dataSource().getConnection();
        PreparedStatement statement = sql.bind("cap", cap).bind("n", 7).prepare(connection);
        ResultSet rs = statement.executeQuery()) {
      rs.next();
      assertTrue(rs.getBoolean(1));
      assertEquals(cap.plusSeconds(3_600), rs.getTimestamp(2).toInstant());
      assertEquals("keeps :cap", rs.getString(3));
      assertEquals(49, rs.getInt(4));
    }
  }
}
