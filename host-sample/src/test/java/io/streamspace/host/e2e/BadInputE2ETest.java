package io.streamspace.host.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.host.support.HostClient;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bad input as it arrives over HTTP, percent-encoded and decoded by the host before the plugin
 * sees it: a NUL in a query value, a year PostgreSQL cannot store, a fullwidth digit as an
 * invoice id, JSON with trailing text. Each is a 400 naming the field or a 404, never a 500,
 * and changes nothing.
 */
class BadInputE2ETest extends BillingHostTestBase {

  private static final String BILLING = "/api/plugins/billing";
  private String user;
  private JsonNode invoice;

  @BeforeAll
  void anAccountWithAnInvoice() {
    user = newUser("nul");
    api.postEvents(platformToken, List.of(Events.userCreated(user, NOW.minusSeconds(7200))));
    invoice =
        api.http
            .post(
                BILLING + "/admin/invoices",
                api.adminToken,
                HostClient.json(
                    Map.of(
                        "user_id",
                        user,
                        "period_start",
                        "2026-03-09",
                        "period_end",
                        "2026-03-10",
                        "reason",
                        "e2e")))
            .expect(201);
  }

  private String refusedField(HostClient.Response response) {
    return response.expect(400).at("/error/field").asText();
  }

  /** Issue 26, point 8: who asks is settled before what they sent is read. */
  @Test
  void aPutWithoutATokenAndABadBodyIs401Not400() {
    HostClient.Response answer = api.http.put(BILLING + "/subscription", null, "{not json");
    assertEquals(401, answer.status(), answer.toString());
    assertEquals(
        401, api.http.get(BILLING + "/usage?user_id=%00", null).status(), "nor a bad parameter");
  }

  @Test
  void nulInAQueryValueIs400NamingIt() {
    assertEquals(
        "user_id", refusedField(api.http.get(BILLING + "/usage?user_id=%00", api.adminToken)));
    assertEquals(
        "user_id", refusedField(api.http.get(BILLING + "/credits?user_id=a%00b", api.adminToken)));
    assertEquals(
        "status", refusedField(api.http.get(BILLING + "/admin/users?status=%00", api.adminToken)));
  }

  @Test
  void yearsBeyondWhatTheDatabaseStoresAre400NamingTheField() {
    assertEquals(
        "to", refusedField(api.http.get(BILLING + "/usage?to=%2B999999999-12-31", api.adminToken)));
    assertEquals(
        "from",
        refusedField(api.http.get(BILLING + "/usage?from=-999999999-01-01", api.adminToken)));
    assertEquals(
        "expires_at",
        refusedField(
            api.http.post(
                BILLING + "/admin/credits",
                api.adminToken,
                HostClient.json(
                    Map.of(
                        "user_id",
                        user,
                        "amount",
                        5,
                        "reason",
                        "r",
                        "expires_at",
                        "+999999999-12-31T00:00:00Z")))));
    assertEquals(
        0,
        api.http
            .get(BILLING + "/credits?user_id=" + user, api.adminToken)
            .expect(200)
            .get("credits")
            .size());
  }

  @Test
  void aFullwidthDigitIsNoInvoiceIdAndChangesNothing() {
    String fullwidth =
        invoice
            .get("id")
            .asText()
            .chars()
            .mapToObj(c -> "%EF%BC%" + Integer.toHexString(0x90 + c - '0').toUpperCase())
            .reduce("", String::concat);

    HostClient.Response patched =
        api.http.call(
            "PATCH",
            BILLING + "/admin/invoices/" + fullwidth,
            api.adminToken,
            HostClient.json(Map.of("status", "void", "note", "typo")));

    assertEquals(404, patched.status(), patched.toString());
    assertEquals(
        invoice.get("status"),
        api.http
            .get(BILLING + "/invoices/" + invoice.get("id").asText(), api.adminToken)
            .expect(200)
            .get("status"));
  }

  @Test
  void anEmptyPathSegmentBeforeAnInvoiceIdIs404_notThatInvoice() {
    String id = invoice.get("id").asText();

    HostClient.Response doubled = api.http.get(BILLING + "/invoices//" + id, api.adminToken);

    assertEquals(404, doubled.status(), doubled.toString());
    assertEquals("not_found", doubled.body().at("/error/code").asText());
    api.http.get(BILLING + "/invoices/" + id, api.adminToken).expect(200);
  }

  @Test
  void jsonWithTrailingTextIs400AndStoresNothing() {
    HostClient.Response refused =
        api.http.post(
            BILLING + "/admin/credits",
            api.adminToken,
            HostClient.json(Map.of("user_id", user, "amount", 5, "reason", "r")) + " trailing");

    assertEquals(400, refused.status());
    assertEquals("invalid_json", refused.body().at("/error/code").asText());
    assertEquals(
        0,
        api.http
            .get(BILLING + "/credits?user_id=" + user, api.adminToken)
            .expect(200)
            .get("credits")
            .size());
  }
}
