package io.streamspace.host.idempotency;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.host.support.HostClient.Response;
import io.streamspace.host.support.HostTestBase;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code Idempotency-Key} on plugin POSTs, shown on the recording plugin's {@code POST /things},
 * which counts its runs.
 */
class IdempotentPostsTest extends HostTestBase {

  private static final String THINGS = "/api/plugins/rec/things";

  private Response post(String path, String token, String body, String key) {
    return http.call(
        "POST", path, token, body, key == null ? Map.of() : Map.of("Idempotency-Key", key));
  }

  private static String newKey() {
    return UUID.randomUUID().toString();
  }

  @Test
  void aRetryWithTheSameKeyAndBodyGetsTheFirstAnswerReplayedAndRunsNothing() {
    String key = newKey();
    int before = plugin.thingsMade.get();

    Response first = post(THINGS, ADMIN_TOKEN, "{\"a\":1}", key);
    Response retry = post(THINGS, ADMIN_TOKEN, "{\"a\":1}", key);

    assertEquals(201, first.status());
    assertEquals(Optional.empty(), first.header("Idempotent-Replayed"));
    assertEquals(201, retry.status());
    assertEquals(first.body(), retry.body());
    assertEquals(Optional.of("true"), retry.header("Idempotent-Replayed"));
    assertEquals(Optional.of("application/json"), retry.header("Content-Type"));
    assertEquals(before + 1, plugin.thingsMade.get());
  }

  @Test
  void theSameKeyWithAnotherBodyRouteOrQueryIs422AndRunsNothing() {
    String key = newKey();
    post(THINGS, ADMIN_TOKEN, "{\"a\":1}", key).expect(201);
    int before = plugin.thingsMade.get();

    Response otherBody = post(THINGS, ADMIN_TOKEN, "{\"a\":2}", key);
    Response otherQuery = post(THINGS + "?status=200", ADMIN_TOKEN, "{\"a\":1}", key);
    Response otherRoute = post("/api/plugins/rec/slow", ADMIN_TOKEN, "{\"a\":1}", key);

    for (Response refused : new Response[] {otherBody, otherQuery, otherRoute}) {
      assertEquals(422, refused.status(), refused.toString());
      assertEquals("idempotency_key_reused", refused.body().at("/error/code").asText());
      assertEquals("Idempotency-Key", refused.body().at("/error/field").asText());
    }
    assertEquals(before, plugin.thingsMade.get());
  }

  @Test
  void keysAreEachCallersOwn() {
    String key = newKey();
    int before = plugin.thingsMade.get();

    post(THINGS, ADMIN_TOKEN, "{}", key).expect(201);
    Response other = post(THINGS, token("kim", "user"), "{}", key);

    assertEquals(201, other.status());
    assertEquals(Optional.empty(), other.header("Idempotent-Replayed"));
    assertEquals(before + 2, plugin.thingsMade.get());
  }

  @Test
  void aRetryWhileTheFirstRequestRunsIs409AndRunsNothing() throws Exception {
    String key = newKey();
    plugin.slowStarted = new CountDownLatch(1);
    plugin.slowGate = new CountDownLatch(1);
    int before = plugin.thingsMade.get();
    CompletableFuture<Response> first =
        CompletableFuture.supplyAsync(() -> post("/api/plugins/rec/slow", ADMIN_TOKEN, "{}", key));
    assertTrue(plugin.slowStarted.await(30, TimeUnit.SECONDS));

    Response during = post("/api/plugins/rec/slow", ADMIN_TOKEN, "{}", key);
    plugin.slowGate.countDown();
    Response done = first.get(30, TimeUnit.SECONDS);
    Response after = post("/api/plugins/rec/slow", ADMIN_TOKEN, "{}", key);

    assertEquals(409, during.status());
    assertEquals("idempotency_key_in_progress", during.body().at("/error/code").asText());
    assertEquals(201, done.status());
    assertEquals(done.body(), after.body());
    assertEquals(Optional.of("true"), after.header("Idempotent-Replayed"));
    assertEquals(before + 1, plugin.thingsMade.get());
  }

  @Test
  void refusalsAreKeptButServerErrorsConflictsAndFailuresLeaveTheKeyFree() {
    String refusedKey = newKey();
    String[] retryable = {"?status=500", "?status=503", "?status=409", "?status=429", "?throw=1"};
    int before = plugin.thingsMade.get();

    assertEquals(400, post(THINGS + "?status=400", ADMIN_TOKEN, "{}", refusedKey).status());
    Response refusedAgain = post(THINGS + "?status=400", ADMIN_TOKEN, "{}", refusedKey);
    assertEquals(400, refusedAgain.status());
    assertEquals(Optional.of("true"), refusedAgain.header("Idempotent-Replayed"));
    assertEquals(before + 1, plugin.thingsMade.get(), "a 400 is the request's answer: kept");
    for (String query : retryable) {
      String key = newKey();
      int runs = plugin.thingsMade.get();
      Response first = post(THINGS + query, ADMIN_TOKEN, "{}", key);
      Response retry = post(THINGS + query, ADMIN_TOKEN, "{}", key);

      assertEquals(first.status(), retry.status(), query);
      assertEquals(Optional.empty(), retry.header("Idempotent-Replayed"), query);
      assertEquals(
          query.equals("?throw=1") ? runs : runs + 2,
          plugin.thingsMade.get(),
          query + ": run again");
    }
  }

  @Test
  void withoutAKeyOrATokenEveryPostRuns() {
    int before = plugin.thingsMade.get();
    String key = newKey();

    post(THINGS, ADMIN_TOKEN, "{}", null).expect(201);
    post(THINGS, ADMIN_TOKEN, "{}", null).expect(201);
    post(THINGS, null, "{}", key).expect(201);
    Response anonymousAgain = post(THINGS, null, "{}", key);

    assertEquals(201, anonymousAgain.status());
    assertEquals(Optional.empty(), anonymousAgain.header("Idempotent-Replayed"));
    assertEquals(before + 4, plugin.thingsMade.get());
  }

  @Test
  void aKeyThatIsNotOneTo255VisibleAsciiCharactersIs400() {
    int before = plugin.thingsMade.get();

    Response tooLong = post(THINGS, ADMIN_TOKEN, "{}", "k".repeat(256));
    Response withSpace = post(THINGS, ADMIN_TOKEN, "{}", "with space");

    for (Response refused : new Response[] {tooLong, withSpace}) {
      assertEquals(400, refused.status(), refused.toString());
      assertEquals("invalid_idempotency_key", refused.body().at("/error/code").asText());
      assertEquals("Idempotency-Key", refused.body().at("/error/field").asText());
    }
    assertEquals(201, post(THINGS, ADMIN_TOKEN, "{}", "k".repeat(255)).status());
    assertEquals(before + 1, plugin.thingsMade.get());
  }
}
