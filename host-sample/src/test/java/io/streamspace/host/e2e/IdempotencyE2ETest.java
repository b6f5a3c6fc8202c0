package io.streamspace.host.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.host.support.HostClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * A client that retries its admin writes with an {@code Idempotency-Key}: twenty identical
 * grants, one after another or all at once, make one credit; the key cannot be reused for
 * another grant; without a key every grant is its own, as before. A pack purchase retried with
 * its key is bought, and charged, once.
 */
class IdempotencyE2ETest extends BillingHostTestBase {

  private static final String GRANT = "/api/plugins/billing/admin/credits";

  private String accountHolder() {
    String user = newUser("ida");
    api.postEvents(platformToken, List.of(Events.userCreated(user, NOW.minusSeconds(3600))));
    return user;
  }

  private HostClient.Response grant(String user, String amount, String key) {
    String body = "{\"user_id\":\"" + user + "\",\"amount\":" + amount + ",\"reason\":\"outage\"}";
    return api.http.call(
        "POST",
        GRANT,
        api.adminToken,
        body,
        key == null ? Map.of() : Map.of("Idempotency-Key", key));
  }

  private JsonNode credits(String user) {
    return api.http
        .get("/api/plugins/billing/credits?user_id=" + user, api.adminToken)
        .expect(200)
        .get("credits");
  }

  @Test
  void twentyIdenticalGrantsOneAfterAnotherWithOneKeyMakeOneCredit() {
    String user = accountHolder();
    String key = UUID.randomUUID().toString();

    List<HostClient.Response> answers = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      answers.add(grant(user, "5", key));
    }

    assertEquals(1, credits(user).size());
    for (HostClient.Response answer : answers) {
      assertEquals(201, answer.status(), answer.toString());
      assertEquals(answers.get(0).body(), answer.body());
    }
    assertEquals(
        19,
        answers.stream()
            .filter(a -> a.header("Idempotent-Replayed").equals(Optional.of("true")))
            .count());
  }

  @Test
  void twentyIdenticalGrantsAtOnceWithOneKeyMakeOneCredit() throws Exception {
    String user = accountHolder();
    String key = UUID.randomUUID().toString();
    CyclicBarrier start = new CyclicBarrier(20);
    ExecutorService clients = Executors.newFixedThreadPool(20);
    List<Future<HostClient.Response>> calls = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      calls.add(
          clients.submit(
              () -> {
                start.await();
                return grant(user, "5", key);
              }));
    }
    List<HostClient.Response> answers = new ArrayList<>();
    for (Future<HostClient.Response> call : calls) {
      answers.add(call.get());
    }
    clients.shutdown();

    assertEquals(1, credits(user).size());
    JsonNode credit = credits(user).get(0);
    for (HostClient.Response answer : answers) {
      // the first grant, its replays, or "still in progress" for those that came during it
      if (answer.status() == 201) {
        assertEquals(credit.get("id"), answer.body().get("id"));
      } else {
        assertEquals(409, answer.status(), answer.toString());
        assertEquals("idempotency_key_in_progress", answer.body().at("/error/code").asText());
      }
    }
    assertTrue(answers.stream().anyMatch(a -> a.status() == 201));
    assertEquals(credit.get("id"), grant(user, "5", key).expect(201).get("id"), "then replayed");
  }

  @Test
  void aPackPurchaseRetriedWithItsKeyIsBoughtAndChargedOnce() {
    String user = accountHolder();
    Map<String, String> key = Map.of("Idempotency-Key", UUID.randomUUID().toString());
    String path = "/api/plugins/billing/packs/slots-5/purchase";
    String body = "{\"user_id\":\"" + user + "\"}";

    HostClient.Response first = api.http.call("POST", path, api.adminToken, body, key);
    HostClient.Response retry = api.http.call("POST", path, api.adminToken, body, key);

    assertEquals(201, first.status(), first.toString());
    assertEquals(201, retry.status(), retry.toString());
    assertEquals(first.body(), retry.body());
    assertEquals(Optional.of("true"), retry.header("Idempotent-Replayed"));
    JsonNode purchases =
        api.http
            .get("/api/plugins/billing/purchases?user_id=" + user, api.adminToken)
            .expect(200)
            .get("purchases");
    assertEquals(1, purchases.size());
    assertEquals(1, purchases.get(0).get("history").size(), "one charge: bought once");
    assertEquals("5.00", purchases.get(0).at("/history/0/amount").toString());
  }

  @Test
  void theSameKeyForAnotherGrantIs422AndStoresNothing() {
    String user = accountHolder();
    String key = UUID.randomUUID().toString();
    grant(user, "5", key).expect(201);

    HostClient.Response other = grant(user, "50", key);

    assertEquals(422, other.status());
    assertEquals("idempotency_key_reused", other.body().at("/error/code").asText());
    assertEquals(1, credits(user).size());
  }

  @Test
  void withoutAKeyEveryGrantIsItsOwn() {
    String user = accountHolder();

    grant(user, "5", null).expect(201);
    grant(user, "5", null).expect(201);

    assertEquals(2, credits(user).size());
  }

  @Test
  void anAdminInvoiceRetriedWithItsKeyIsTheSameInvoice() {
    String user = accountHolder();
    String key = UUID.randomUUID().toString();
    String body =
        HostClient.json(
            Map.of(
                "user_id",
                user,
                "period_start",
                "2026-03-09",
                "period_end",
                "2026-03-10",
                "reason",
                "e2e"));
    Map<String, String> headers = Map.of("Idempotency-Key", key);

    JsonNode first =
        api.http
            .call("POST", "/api/plugins/billing/admin/invoices", api.adminToken, body, headers)
            .expect(201);
    HostClient.Response retry =
        api.http.call("POST", "/api/plugins/billing/admin/invoices", api.adminToken, body, headers);

    assertEquals(201, retry.status(), "not 409 invoice_exists: the retry is the same request");
    assertEquals(first, retry.body());
    assertEquals(Optional.of("true"), retry.header("Idempotent-Replayed"));
    assertEquals(
        1,
        api.http
            .get("/api/plugins/billing/invoices?user_id=" + user, api.adminToken)
            .expect(200)
            .get("invoices")
            .size());
  }
}
