package io.streamspace.host.idempotency;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.streamspace.common.http.Json;
import io.streamspace.host.db.Database;
import io.streamspace.host.db.HostMigrations;
import io.streamspace.host.idempotency.IdempotencyKeys.Claimed;
import io.streamspace.host.idempotency.IdempotencyKeys.InProgress;
import io.streamspace.host.idempotency.IdempotencyKeys.Replay;
import io.streamspace.host.idempotency.IdempotencyKeys.Reused;
import io.streamspace.plugin.api.http.HttpResponse;
import io.streamspace.testing.MutableClock;
import io.streamspace.testing.TestDatabases;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The keys' table: answers kept whole for 24 hours, then pruned as new keys are claimed. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IdempotencyKeysTest {

  private final MutableClock clock = new MutableClock(Instant.parse("2026-03-10T12:00:00Z"));
  private final Database database = Database.external(TestDatabases.freshDatabaseUrl(), Map.of());
  private final IdempotencyKeys keys = migrated();

  private IdempotencyKeys migrated() {
    HostMigrations.migrate(database.dataSource());
    return new IdempotencyKeys(database.dataSource(), clock, Json.newMapper());
  }

  @AfterAll
  void close() {
    database.close();
  }

  @Test
  void aKeyThatCouldNotBeReleasedInAnOutageIsFreeForTheRetryOnceTheDatabaseIsBack() {
    AtomicBoolean down = new AtomicBoolean();
    IdempotencyKeys flaky = new IdempotencyKeys(unreachableWhile(down), clock, Json.newMapper());
    assertInstanceOf(Claimed.class, flaky.claim("ann", "outage", "hash-1"));

    down.set(true); // the request failed because the database went away: its key cannot go
    flaky.release("ann", "outage");
    down.set(false);

    assertInstanceOf(Claimed.class, flaky.claim("ann", "outage", "hash-1"), "not in progress");
  }

  @Test
  void aLateReleaseLeavesANewerClaimOfTheSameKeyAlone() {
    AtomicBoolean down = new AtomicBoolean();
    IdempotencyKeys flaky = new IdempotencyKeys(unreachableWhile(down), clock, Json.newMapper());
    assertInstanceOf(Claimed.class, flaky.claim("bo", "late", "hash-1"));
    down.set(true);
    flaky.release("bo", "late"); // fails: remembered
    down.set(false);

    keys.release("bo", "late"); // another node freed it meanwhile,
    clock.advance(Duration.ofSeconds(1));
    assertInstanceOf(Claimed.class, keys.claim("bo", "late", "hash-1")); // and the retry runs there
    flaky.claim("bo", "other", "hash-2"); // this node's next claim makes its late release

    assertInstanceOf(
        InProgress.class, keys.claim("bo", "late", "hash-1"), "the retry still holds it");
  }

  /** The test database, unreachable while {@code down} is set, as a pool sees an outage. */
  private DataSource unreachableWhile(AtomicBoolean down) {
    DataSource real = database.dataSource();
    return (DataSource)
        Proxy.newProxyInstance(
            getClass().getClassLoader(),
            new Class<?>[] {DataSource.class},
            (proxy, method, args) -> {
              if (down.get() && method.getName().equals("getConnection")) {
                throw new SQLTransientConnectionException("connection is not available");
              }
              try {
                return method.invoke(real, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  @Test
  void theFirstAnswerIsReplayedWholeWithItsHeaders() {
    assertInstanceOf(Claimed.class, keys.claim("ann", "whole", "hash-1"));
    keys.complete(
        "ann",
        "whole",
        HttpResponse.of(
            201,
            "application/pdf",
            "%PDF".getBytes(StandardCharsets.UTF_8),
            Map.of("Content-Disposition", "attachment")));

    Replay replay = assertInstanceOf(Replay.class, keys.claim("ann", "whole", "hash-1"));

    assertEquals(201, replay.answer().status());
    assertEquals("application/pdf", replay.answer().contentType());
    assertEquals("%PDF", new String(replay.answer().body(), StandardCharsets.UTF_8));
    assertEquals(Map.of("Content-Disposition", "attachment"), replay.answer().headers());
  }

  @Test
  void aKeyIsKeptTwentyFourHoursThenPrunedAndFreeAgain() {
    clock.set(Instant.parse("2026-03-11T00:00:00Z"));
    keys.claim("bo", "daily", "hash-1");
    keys.complete("bo", "daily", HttpResponse.json(201, "{}"));
    keys.claim("bo", "other", "hash-2");

    clock.advance(Duration.ofHours(24).minusSeconds(1));
    assertInstanceOf(Replay.class, keys.claim("bo", "daily", "hash-1"), "kept 24 hours");
    assertInstanceOf(Reused.class, keys.claim("bo", "daily", "hash-3"));

    clock.advance(Duration.ofMinutes(2)); // past 24 hours, and past the next prune
    assertInstanceOf(Claimed.class, keys.claim("bo", "daily", "hash-3"), "pruned, free again");
    assertEquals(0, keys.prune(), "the one claim pruned every expired key, 'other' too");
    assertInstanceOf(Claimed.class, keys.claim("bo", "other", "hash-4"));
  }
}
