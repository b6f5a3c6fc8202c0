package io.streamspace.billing.http;

import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.user;
import static io.streamspace.billing.support.BillingHarness.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.billing.support.InvoiceFixtures;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpMethod;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code POST /admin/credits} and {@code GET /credits} through the registered routes. */
class CreditRoutesTest {

  private static final String GRANT = "/admin/credits";

  private final BillingHarness billing =
      new BillingHarness(
          at("2026-03-10T12:00:00Z"),
          BillingHarness.USD_AND_VND_CONFIG.replaceFirst(
              "\\{", "{\"billingTimeZone\": \"Asia/Ho_Chi_Minh\", "));

  @BeforeEach
  void accounts() {
    billing.userCreated("ann", Map.of());
    billing.userCreated("bao", Map.of("currency", "VND"));
    billing.flush();
  }

  @AfterEach
  void unload() {
    billing.close();
  }

  private Answer grant(String body) {
    return billing.call(HttpMethod.POST, GRANT, admin("root"), body);
  }

  private static long credits() {
    return (Long) value("SELECT count(*) FROM billing_credits");
  }

  @Test
  void anAdminGrantsACreditWhichIsStoredWholeAndPublished() {
    Answer answer =
        grant(
            """
        {"user_id": "ann", "amount": 12.5, "reason": "outage on 2026-03-09",
         "currency": "USD", "expires_at": "2026-06-01T00:00:00Z"}""");

    assertEquals(201, answer.status(), answer.body().toString());
    long id = answer.body().get("id").asLong();
    assertEquals(
        """
        {"id":%d,"user_id":"ann","amount":12.50,"remaining":12.50,"currency":"USD",\
        "reason":"outage on 2026-03-09","granted_by":"root",\
        "granted_at":"2026-03-10T12:00:00Z","expires_at":"2026-06-01T00:00:00Z","kind":"admin"}"""
            .formatted(id),
        answer.body().toString());
    assertEquals(
        List.of(
            List.of(
                "ann", new java.math.BigDecimal("12.5"), new java.math.BigDecimal("12.5"), "root")),
        BillingHarness.rows("SELECT user_id, amount, remaining, granted_by FROM billing_credits"));
    assertEquals(
        List.of("billing.credit.granted " + answer.body()),
        billing.context.published(),
        "the event tells of the credit as the route shows it");
  }

  @Test
  void anExpiryDateIsMidnightInTheBillingZoneAndTheCurrencyMayBeLeftOut() {
    Answer answer =
        grant(
            """
        {"user_id": "bao", "amount": 50000, "reason": "welcome", "expires_at": "2026-04-01"}""");

    assertEquals(201, answer.status(), answer.body().toString());
    assertEquals("2026-03-31T17:00:00Z", answer.body().get("expires_at").asText());
    assertEquals("VND", answer.body().get("currency").asText());
    assertEquals("50000", answer.body().get("amount").toString());
  }

  /** Each refusal names its field and leaves the table as it was. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      zero                     | {"user_id":"ann","amount":0,"reason":"r"}                       | amount
      negative                 | {"user_id":"ann","amount":-5,"reason":"r"}                      | amount
      a string amount          | {"user_id":"ann","amount":"10","reason":"r"}                    | amount
      no amount                | {"user_id":"ann","reason":"r"}                                  | amount
      a tenth of a cent        | {"user_id":"ann","amount":10.001,"reason":"r"}                  | amount
      half a dong              | {"user_id":"bao","amount":10.5,"reason":"r"}                    | amount
      no reason                | {"user_id":"ann","amount":10}                                   | reason
      a blank reason           | {"user_id":"ann","amount":10,"reason":"  "}                     | reason
      no user                  | {"amount":10,"reason":"r"}                                      | user_id
      another currency         | {"user_id":"ann","amount":10,"reason":"r","currency":"EUR"}     | currency
      not the account's        | {"user_id":"bao","amount":10,"reason":"r","currency":"USD"}     | currency
      a past expiry            | {"user_id":"ann","amount":10,"reason":"r","expires_at":"2026-03-10T11:59:59Z"} | expires_at
      an expiry of now         | {"user_id":"ann","amount":10,"reason":"r","expires_at":"2026-03-10T12:00:00Z"} | expires_at
      an expiry of today       | {"user_id":"ann","amount":10,"reason":"r","expires_at":"2026-03-10"} | expires_at
      a bad expiry             | {"user_id":"ann","amount":10,"reason":"r","expires_at":"soon"}  | expires_at
      a numeric expiry         | {"user_id":"ann","amount":10,"reason":"r","expires_at":1}       | expires_at
      """)
  void refusalsNameTheFieldAndStoreNothing(String name, String body, String field) {
    Answer answer = grant(body);

    assertEquals(400, answer.status(), answer.body().toString());
    assertEquals("invalid_parameter", answer.body().at("/error/code").asText());
    assertEquals(field, answer.errorField(), answer.body().toString());
    assertEquals(0, credits());
    assertEquals(List.of(), billing.context.published());
  }

  @Test
  void theCurrencyRefusalSaysWhichCurrencyTheAccountHas() {
    Answer answer =
        grant("{\"user_id\":\"bao\",\"amount\":10,\"reason\":\"r\",\"currency\":\"USD\"}");

    assertTrue(
        answer.body().at("/error/message").asText().contains("VND"), answer.body().toString());
  }

  @Test
  void anUnknownUserIs404AndABodyThatIsNotJsonIs400() {
    Answer unknown = grant("{\"user_id\":\"nobody\",\"amount\":10,\"reason\":\"r\"}");
    Answer notJson = grant("amount=10");

    assertEquals(404, unknown.status());
    assertEquals("unknown_user", unknown.body().at("/error/code").asText());
    assertEquals(400, notJson.status());
    assertEquals("invalid_json", notJson.body().at("/error/code").asText());
    assertEquals(0, credits());
  }

  @Test
  void onlyAnAdminGrants() {
    String body = "{\"user_id\":\"ann\",\"amount\":10,\"reason\":\"r\"}";

    assertEquals(401, billing.call(HttpMethod.POST, GRANT, Caller.ANONYMOUS, body).status());
    assertEquals(403, billing.call(HttpMethod.POST, GRANT, user("ann"), body).status());
    assertEquals(0, credits());
  }

  /**
   * Three credits granted over a month, one partly spent on an invoice, one expired by now:
   * the balance is what is left of the other two, to the cent.
   */
  @Test
  void theBalanceIsTheUnexpiredRemainderToTheCentAndTheHistoryExplainsIt() {
    assertEquals(
        201, grant("{\"user_id\":\"ann\",\"amount\":10,\"reason\":\"goodwill\"}").status());
    billing.clock.advance(Duration.ofDays(1));
    assertEquals(
        201,
        grant(
                """
        {"user_id":"ann","amount":5.25,"reason":"promo","expires_at":"2026-03-20T00:00:00Z"}""")
            .status());
    billing.clock.advance(Duration.ofDays(1));
    assertEquals(
        201,
        grant(
                """
        {"user_id":"ann","amount":3.10,"reason":"referral","expires_at":"2026-04-30"}""")
            .status());
    long goodwill = (Long) value("SELECT id FROM billing_credits WHERE reason = 'goodwill'");
    long invoice =
        InvoiceFixtures.invoice(
            "ann",
            "2026-02-01T00:00:00Z",
            "2026-03-01T00:00:00Z",
            "paid",
            "INV-2026-000007",
            "USD",
            "4.00",
            "3.99",
            "0.01",
            "2026-03-15T00:00:00Z",
            "2026-03-11T00:00:00Z");
    InvoiceFixtures.application(goodwill, invoice, "3.99", "2026-03-11T12:00:00Z");
    BillingHarness.value(
        "UPDATE billing_credits SET remaining = 6.01 WHERE id = ? RETURNING id", goodwill);
    billing.clock.set(at("2026-03-25T00:00:00Z"));

    Answer answer = billing.call(HttpMethod.GET, "/credits", user("ann"));

    assertEquals(200, answer.status());
    JsonNode body = answer.body();
    assertEquals("9.11", body.get("balance").toString(), "6.01 + 3.10; 5.25 expired");
    assertEquals("USD", body.get("currency").asText());
    assertEquals(
        List.of("referral", "promo", "goodwill"),
        body.get("credits").findValues("reason").stream().map(JsonNode::asText).toList());
    assertEquals(
        List.of(false, true, false),
        body.get("credits").findValues("expired").stream().map(JsonNode::asBoolean).toList());
    assertEquals("2026-04-29T17:00:00Z", body.at("/credits/0/expires_at").asText());
    assertEquals(
        """
        {"id":%d,"amount":10.00,"remaining":6.01,"reason":"goodwill","granted_by":"root",\
        "granted_at":"2026-03-10T12:00:00Z","expires_at":null,"expired":false,\
        "expired_amount":null,"applications":[\
        {"invoice_id":%d,"invoice_number":"INV-2026-000007","amount":3.99,\
        "applied_at":"2026-03-11T12:00:00Z"}],"kind":"admin"}"""
            .formatted(goodwill, invoice),
        body.at("/credits/2").toString());
  }

  @Test
  void usersReadOnlyTheirOwnCreditsAndAdminsAnyones() {
    grant("{\"user_id\":\"bao\",\"amount\":20000,\"reason\":\"r\"}");

    Answer own = billing.call(HttpMethod.GET, "/credits", user("bao"));
    Answer byAdmin = billing.call(HttpMethod.GET, "/credits?user_id=bao", admin("root"));
    Answer others = billing.call(HttpMethod.GET, "/credits?user_id=bao", user("ann"));
    Answer unknown = billing.call(HttpMethod.GET, "/credits?user_id=nobody", admin("root"));
    Answer noAccount = billing.call(HttpMethod.GET, "/credits", user("newcomer"));

    assertEquals("20000", own.body().get("balance").toString());
    assertEquals(own.body(), byAdmin.body());
    assertEquals(403, others.status());
    assertEquals(404, unknown.status());
    assertEquals(401, billing.call(HttpMethod.GET, "/credits", Caller.ANONYMOUS).status());
    assertEquals(
        "{\"user_id\":\"newcomer\",\"currency\":\"USD\",\"balance\":0.00,\"credits\":[]}",
        noAccount.body().toString());
  }
}
