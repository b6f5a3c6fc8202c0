package io.streamspace.host.deadletters;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamspace.common.http.Json;
import io.streamspace.host.db.Database;
import io.streamspace.host.db.HostMigrations;
import io.streamspace.testing.MutableClock;
import io.streamspace.testing.TestDatabases;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The host's dead letters, on real PostgreSQL. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeadLetterStoreTest {

  private final Database database = Database.external(TestDatabases.freshDatabaseUrl(), Map.of());
  private final ObjectMapper mapper = Json.newMapper();
  private final DeadLetterStore store = migrated();

  private DeadLetterStore migrated() {
    HostMigrations.migrate(database.dataSource());
    return new DeadLetterStore(
        database.dataSource(), new MutableClock(Instant.parse("2026-03-10T12:00:00Z")), mapper);
  }

  @AfterAll
  void close() {
    database.close();
  }

  @Test
  void anEventWithANulCharacterTheDatabaseRefusedElsewhereIsKeptAndReadBackAsItWas()
      throws Exception {
    // jsonb cannot hold \u0000: kept as JSON text, the event is exactly what was set aside
    JsonNode event =
        mapper.readTree(
            """
        {"id":"evt-1","type":"user.created","occurred_at":"2026-03-10T11:00:00Z",
         "user":{"user_id":"al\\u0000ice","email":"alice@example.com"}}""");

    long id = store.record("billing", "evt-1", "user.created", event, "invalid byte sequence \0");

    DeadLetter kept = store.find(id).orElseThrow();
    assertEquals(event, kept.event());
    assertEquals("al\0ice", kept.event().get("user").get("user_id").asText());
    assertEquals("invalid byte sequence ?", kept.reason());
  }
}
