package io.streamspace.billing.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.streamspace.common.http.Json;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.http.HttpRequest;
import io.streamspace.plugin.api.http.HttpResponse;
import io.streamspace.plugin.api.http.RouteHandler;
import io.streamspace.testing.FreePort;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * How a route answers when its database cannot be reached: 503 {@code database_unavailable}
 * with {@code Retry-After}, so clients retry instead of reading a 500 as a bug. The databases
 * here are real addresses where no server listens.
 */
class JsonRouteTest {

  private static final HttpRequest REQUEST =
      new HttpRequest(
          HttpMethod.GET,
          "/usage",
          Map.of(),
          Map.of(),
          Map.of(),
          null,
          new Caller("alice", Set.of(Caller.ROLE_USER)));

  @Test
  void aRequestWithoutACallerIs401BeforeItsBodyOrParametersAreRead() throws Exception {
    HttpRequest anonymous =
        new HttpRequest(
            HttpMethod.PUT,
            "/subscription",
            Map.of(),
            Map.of("org_id", java.util.List.of("a\0b")),
            Map.of(),
            "{not json".getBytes(java.nio.charset.StandardCharsets.UTF_8),
            Caller.ANONYMOUS);
    RouteHandler parsesItsBody = JsonRoute.of(request -> Json.readObject(request));

    HttpResponse answer = parsesItsBody.handle(anonymous);

    assertEquals(401, answer.status(), "not 400 invalid_json nor 400 for the NUL");
    assertEquals(
        401, JsonRoute.creating(request -> Json.readObject(request)).handle(anonymous).status());
    HttpResponse open = JsonRoute.open(request -> Map.of("read", "anyway")).handle(anonymous);
    assertEquals(
        400, open.status(), "a route anyone may call (the webhook) reads it: the NUL refused");
  }

  @Test
  void aRouteWhoseDatabaseRefusesTheConnectionAnswers503WithRetryAfter() throws Exception {
    PGSimpleDataSource nowhere = new PGSimpleDataSource();
    nowhere.setServerNames(new String[] {"127.0.0.1"});
    nowhere.setPortNumbers(new int[] {FreePort.find()});

    HttpResponse answer = JsonRoute.of(request -> readFrom(nowhere)).handle(REQUEST);

    assertDatabaseUnavailable(answer);
  }

  @Test
  void aRouteWhosePoolFindsNoConnectionInTimeAnswers503WithRetryAfter() throws Exception {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl("jdbc:postgresql://127.0.0.1:" + FreePort.find() + "/billing");
    config.setConnectionTimeout(250);
    config.setInitializationFailTimeout(-1);
    try (HikariDataSource pool = new HikariDataSource(config)) {
      HttpResponse answer = JsonRoute.creating(request -> readFrom(pool)).handle(REQUEST);

      assertDatabaseUnavailable(answer);
    }
  }

  @Test
  void aFailureARetryCannotFixStillEscapesToTheHost() {
    RouteHandler route =
        JsonRoute.of(
            request -> {
              throw new SQLException("syntax error at or near \"SELEC\"", "42601");
            });

    assertThrows(SQLException.class, () -> route.handle(REQUEST));
  }

  private static Object readFrom(DataSource dataSource) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      return Map.of("connected", true);
    }
  }

  private static void assertDatabaseUnavailable(HttpResponse answer) throws IOException {
    assertEquals(503, answer.status());
    assertEquals("5", answer.headers().get("Retry-After"));
    JsonNode error = new ObjectMapper().readTree(answer.body()).get("error");
    assertEquals("database_unavailable", error.get("code").asText());
  }
}
