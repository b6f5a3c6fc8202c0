package io.streamspace.billing.http;

import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.size;
import static io.streamspace.billing.support.BillingHarness.user;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.billing.support.InvoiceFixtures;
import io.streamspace.plugin.api.http.HttpMethod;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every route that reads a query value, a path id, a date or a JSON body, sent what the database
 * cannot hold or what is not what it looks like: a NUL character, years Java reads but
 * PostgreSQL cannot store, JSON with something after it, ids in digits of other scripts. Each
 * is answered 400 naming the field (404 for a path id), as an admin would send it, and changes
 * nothing: no row of any billing table, no event.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputTest {

  private static final String NUL = "\u0000";
  private static final String CREDIT = "{\"user_id\": \"mia\", \"amount\": 5, \"reason\": \"r\"";
  private static final String INVOICE =
      "{\"user_id\": \"mia\", \"period_start\": \"2026-03-01\","
          + " \"period_end\": \"2026-03-05\", \"reason\": \"test\"";
  private static final String PAID = "{\"status\": \"paid\", \"note\": \"wire\"}";

  private final BillingHarness billing = new BillingHarness(at("2026-03-01T00:00:00Z"));

  /** An invoice that exists (sent, so a PATCH to paid would change it). */
  private long invoiceId;

  /** A one-time purchase (a renewal would charge it again) and a recurring one, running. */
  private long oneTimePurchase;

  private long recurringPurchase;

  @BeforeAll
  void miaHasUsageAnInvoiceAndACredit() {
    billing.userCreated("mia", Map.of());
    billing.created("2026-03-02T09:00:00Z", "s1", "mia", size("2", "4", "0"));
    billing.terminated("2026-03-02T12:00:00Z", "s1", "mia");
    billing.calculateUsageAt("2026-03-06T00:00:00Z");
    InvoiceFixtures.grantCredit("mia", "1.00", "USD", "fixture", "2026-03-01T00:00:00Z", null);
    Answer created =
        billing.call(
            HttpMethod.POST,
            "/admin/invoices",
            admin("root"),
            INVOICE.replace("03-05", "03-04") + "}");
    assertEquals(201, created.status(), created.body().toString());
    invoiceId = created.body().get("id").asLong();
    oneTimePurchase = bought("slots-5");
    recurringPurchase = bought("storage-10");
  }

  private long bought(String pack) {
    Answer bought =
        billing.call(HttpMethod.POST, "/packs/" + pack + "/purchase", user("mia"), "{}");
    assertEquals(201, bought.status(), bought.body().toString());
    return bought.body().get("id").asLong();
  }

  @AfterAll
  void unload() {
    billing.close();
  }

  static Stream<Arguments> badRequests() {
    return Stream.of(
        // a NUL in a query value: 400 naming the parameter
        bad("GET", "/usage?user_id=" + NUL, null, 400, "user_id"),
        bad("GET", "/usage?from=2026-03-01" + NUL, null, 400, "from"),
        bad("GET", "/credits?user_id=" + NUL, null, 400, "user_id"),
        bad("GET", "/invoices?user_id=" + NUL, null, 400, "user_id"),
        bad("GET", "/subscription?user_id=" + NUL, null, 400, "user_id"),
        bad("GET", "/admin/users?user_id=" + NUL, null, 400, "user_id"),
        bad("GET", "/admin/users?status=" + NUL, null, 400, "status"),
        // years Java reads and the database cannot store
        bad("GET", "/usage?to=+999999999-12-31", null, 400, "to"),
        bad("GET", "/usage?from=-999999999-01-01", null, 400, "from"),
        bad(
            "GET",
            "/usage?from=2026-03-01T00:00:00Z&to=+999999999-12-31T23:59:59Z",
            null,
            400,
            "to"),
        bad("GET", "/usage?from=-999999999-01-01T00:00:00-18:00", null, 400, "from"),
        bad(
            "POST",
            "/admin/credits",
            CREDIT + ", \"expires_at\": \"+999999999-12-31\"}",
            400,
            "expires_at"),
        bad(
            "POST",
            "/admin/credits",
            CREDIT + ", \"expires_at\": \"+999999999-12-31T00:00:00Z\"}",
            400,
            "expires_at"),
        bad(
            "POST",
            "/admin/invoices",
            "{\"user_id\": \"mia\", \"period_start\":"
                + " \"-999999999-01-01\", \"period_end\": \"2026-03-01\", \"reason\": \"test\"}",
            400,
            "period_start"),
        bad(
            "POST",
            "/admin/invoices",
            "{\"user_id\": \"mia\", \"period_start\":"
                + " \"1899-12-31T23:59:59Z\", \"period_end\": \"2026-03-01\", \"reason\": \"test\"}",
            400,
            "period_start"),
        bad(
            "POST",
            "/admin/invoices",
            "{\"user_id\": \"mia\", \"period_start\": \"2026-03-04\","
                + " \"period_end\": \"+999999999-12-31\", \"reason\": \"test\"}",
            400,
            "period_end"),
        // a NUL in a JSON string: 400 naming the member
        bad(
            "POST",
            "/admin/credits",
            "{\"user_id\": \"mia\\u0000\", \"amount\": 5," + " \"reason\": \"r\"}",
            400,
            "user_id"),
        bad("POST", "/admin/credits", CREDIT.replace("\"r\"", "\"r\\u0000\"") + "}", 400, "reason"),
        bad("POST", "/admin/credits", CREDIT + ", \"currency\": \"USD\\u0000\"}", 400, "currency"),
        bad(
            "POST",
            "/admin/invoices",
            "{\"user_id\": \"\\u0000\", \"period_start\":"
                + " \"2026-03-04\", \"period_end\": \"2026-03-05\", \"reason\": \"test\"}",
            400,
            "user_id"),
        bad(
            "PATCH",
            "/admin/invoices/{id}",
            "{\"status\": \"paid\", \"note\": \"\\u0000\"}",
            400,
            "note"),
        bad(
            "PUT",
            "/subscription",
            "{\"user_id\": \"mia\", \"plan_id\": \"pro\\u0000\"}",
            400,
            "plan_id"),
        bad(
            "PUT",
            "/subscription",
            "{\"user_id\": \"\\u0000\", \"plan_id\": \"pro\"}",
            400,
            "user_id"),
        // JSON with something after the object: 400 invalid_json, no field
        bad("POST", "/admin/credits", CREDIT + "} trailing", 400, null),
        bad("POST", "/admin/credits", CREDIT + "}{}", 400, null),
        bad("POST", "/admin/invoices", INVOICE.replace("03-01", "03-04") + "}}", 400, null),
        bad("PATCH", "/admin/invoices/{id}", PAID + "x", 400, null),
        bad("PUT", "/subscription", "{\"user_id\": \"mia\", \"plan_id\": \"pro\"} []", 400, null),
        bad("POST", "/overage/confirm", "{\"meter\": \"ai_queries\"} []", 400, null),
        bad("POST", "/overage/confirm", "{\"meter\": \"ai_queries\\u0000\"}", 400, "meter"),
        bad(
            "POST",
            "/overage/confirm",
            "{\"meter\": \"ai_queries\", \"user_id\": \"mia\\u0000\"}",
            400,
            "user_id"),
        bad(
            "POST",
            "/overage/confirm",
            "{\"meter\": \"ai_queries\", \"user_id\": 7}",
            400,
            "user_id"),
        // path ids that are not ASCII digits: 404, as an unknown id
        bad("PATCH", "/admin/invoices/{fullwidth id}", PAID, 404, null),
        bad("PATCH", "/admin/invoices/{arabic-indic id}", PAID, 404, null),
        bad("PATCH", "/admin/invoices/{id}" + NUL, PAID, 404, null),
        bad("PATCH", "/admin/invoices/-{id}", PAID, 404, null),
        bad("PATCH", "/admin/invoices/+{id}", PAID, 404, null),
        bad("PATCH", "/admin/invoices/99999999999999999999", PAID, 404, null),
        bad("GET", "/invoices/{fullwidth id}", null, 404, null),
        bad("GET", "/invoices/{fullwidth id}/pdf", null, 404, null),
        bad("POST", "/jobs/calculate-usage" + NUL, "{\"reason\": \"now\"}", 404, null),
        // page parameters in other scripts' digits
        bad("GET", "/invoices?limit=\uFF11\uFF10", null, 400, "limit"),
        bad("GET", "/admin/users?offset=\u0661", null, 400, "offset"),
        // the pack routes: nothing bought, renewed or cancelled
        bad("GET", "/packs?user_id=" + NUL, null, 400, "user_id"),
        bad("GET", "/purchases?user_id=" + NUL, null, 400, "user_id"),
        bad("GET", "/purchases?limit=\uFF11\uFF10", null, 400, "limit"),
        bad("POST", "/packs/slots-5/purchase", "{\"user_id\": \"mia\\u0000\"}", 400, "user_id"),
        bad("POST", "/packs/slots-5/purchase", "{\"user_id\": \"mia\"} []", 400, null),
        bad("POST", "/packs/slots-5" + NUL + "/purchase", "{}", 404, null),
        bad("POST", "/purchases/{fullwidth id}/renew", null, 404, null),
        bad("POST", "/purchases/{arabic-indic id}/cancel", null, 404, null),
        bad("POST", "/purchases/{one-time purchase}/renew", "xyz", 400, null),
        bad("POST", "/purchases/{one-time purchase}/renew", "{} x", 400, null),
        bad("POST", "/purchases/{one-time purchase}/renew", "[]", 400, null),
        bad("POST", "/purchases/{recurring purchase}/cancel", "xyz", 400, null),
        bad("POST", "/purchases/{recurring purchase}/cancel", "{}{}", 400, null),
        // a job's run takes one JSON object (its reason), like the admin actions
        bad("POST", "/jobs/generate-invoices", "xyz", 400, null),
        // the other routes that take no body: none, or one JSON object
        bad("DELETE", "/spending-limit?user_id=mia", "{} x", 400, null));
  }

  private static Arguments bad(String method, String path, String body, int status, String field) {
    return Arguments.of(method, path, body, status, field);
  }

  @ParameterizedTest(name = "{0} {1} {2}")
  @MethodSource("badRequests")
  void isRefusedNamingTheFieldAndChangesNothing(
      String method, String path, String body, int status, String field) {
    Map<String, String> tables = BillingHarness.tableContents();
    List<String> published = billing.context.published();

    Answer answer = billing.call(HttpMethod.valueOf(method), withIds(path), admin("root"), body);

    assertEquals(status, answer.status(), answer.body().toString());
    assertEquals(field, answer.errorField(), answer.body().toString());
    assertEquals(tables, BillingHarness.tableContents(), "nothing stored or changed");
    assertEquals(published, billing.context.published(), "nothing published");
  }

  /** The path with the real invoice id, in ASCII, fullwidth or Arabic-Indic digits. */
  private String withIds(String path) {
    String id = Long.toString(invoiceId);
    return path.replace("{fullwidth id}", inDigitsFrom(id, '\uFF10'))
        .replace("{arabic-indic id}", inDigitsFrom(id, '\u0660'))
        .replace("{id}", id)
        .replace("{one-time purchase}", Long.toString(oneTimePurchase))
        .replace("{recurring purchase}", Long.toString(recurringPurchase));
  }

  private static String inDigitsFrom(String asciiDigits, char zero) {
    StringBuilder digits = new StringBuilder();
    asciiDigits.chars().forEach(c -> digits.append((char) (zero + c - '0')));
    return digits.toString();
  }
}
