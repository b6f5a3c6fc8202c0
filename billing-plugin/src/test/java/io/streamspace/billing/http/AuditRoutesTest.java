package io.streamspace.billing.http;

import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.tableContents;
import static io.streamspace.billing.support.BillingHarness.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.billing.support.BillingHarness.Text;
import io.streamspace.plugin.api.http.HttpMethod;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code GET /admin/audit} (filters, pages, CSV) and {@code /admin/audit/verify}, and the reason
 * the admin routes that change money require.
 */
class AuditRoutesTest {

  private final BillingHarness billing = new BillingHarness(at("2026-03-10T12:00:00Z"));

  @BeforeEach
  void credits() {
    billing.userCreated("ann", Map.of());
    billing.userCreated("bob", Map.of());
    billing.flush();
    grant("ann", "1", "root", "first");
    billing.clock.set(at("2026-03-11T12:00:00Z"));
    grant("bob", "2", "ada", "second");
    billing.clock.set(at("2026-03-12T12:00:00Z"));
    grant("ann", "3", "ada", "=HYPERLINK(\\\"x\\\")");
  }

  @AfterEach
  void unload() {
    billing.close();
  }

  private void grant(String user, String amount, String admin, String reason) {
    Answer answer =
        billing.call(
            HttpMethod.POST,
            "/admin/credits",
            admin(admin),
            "{\"user_id\": \"%s\", \"amount\": %s, \"reason\": \"%s\"}"
                .formatted(user, amount, reason));
    assertEquals(201, answer.status(), answer.body().toString());
  }

  private List<String> reasons(String query) {
    Answer answer = billing.call(HttpMethod.GET, "/admin/audit" + query, admin("root"));
    assertEquals(200, answer.status(), answer.body().toString());
    List<String> reasons = new ArrayList<>();
    answer.body().get("entries").forEach(e -> reasons.add(e.get("reason").asText()));
    return reasons;
  }

  @ParameterizedTest(name = "GET /admin/audit{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      ''                                                      | =HYPERLINK("x"),second,first
      ?org_id=ann                                             | =HYPERLINK("x"),first
      ?actor_id=ada                                           | =HYPERLINK("x"),second
      ?actor_type=admin&actor_id=root                         | first
      ?actor_type=job                                         | ''
      ?kind=credit.granted&org_id=bob                         | second
      ?kind=invoice.paid                                      | ''
      ?from=2026-03-11T00:00:00Z                              | =HYPERLINK("x"),second
      ?to=2026-03-12                                          | second,first
      ?from=2026-03-11&to=2026-03-12T12:00:00Z                | second
      """)
  void entriesAreFilteredNewestFirst(String query, String expected) {
    List<String> want = expected.isEmpty() ? List.of() : List.of(expected.split(","));
    assertEquals(want, reasons(query));
  }

  @Test
  void pagesFollowNextBeforeIdToTheLastPage() {
    Answer first = billing.call(HttpMethod.GET, "/admin/audit?limit=2", admin("root"));
    long next = first.body().get("next_before_id").asLong();
    Answer second =
        billing.call(HttpMethod.GET, "/admin/audit?limit=2&before_id=" + next, admin("root"));

    assertEquals(2, first.body().get("entries").size());
    assertEquals(List.of("first"), reasons("?limit=2&before_id=" + next));
    assertTrue(second.body().get("next_before_id").isNull());
  }

  @Test
  void anEntryShowsItsCauseItsStateAndItsPlaceInTheChain() {
    JsonNode entry =
        billing
            .call(HttpMethod.GET, "/admin/audit?org_id=bob", admin("root"))
            .body()
            .at("/entries/0");

    assertEquals("2026-03-11T12:00:00Z", entry.get("occurred_at").asText());
    assertEquals("admin", entry.get("actor_type").asText());
    assertEquals("credit.granted", entry.get("kind").asText());
    assertEquals("2.00", entry.at("/after/amount").toString());
    assertTrue(entry.get("before").isNull());
    assertEquals(1, entry.get("chain_seq").asInt());
    assertTrue(entry.get("prev_hash").isNull());
    assertEquals(64, entry.get("hash").asText().length());
  }

  @Test
  void csvHasAHeaderAndOneRowPerEntryWithFormulasMadeInert() {
    Text csv = billing.text("/admin/audit?format=csv&org_id=ann", admin("root"));

    assertEquals(200, csv.status());
    assertTrue(csv.contentType().startsWith("text/csv"), csv.contentType());
    assertEquals("attachment; filename=\"audit.csv\"", csv.headers().get("Content-Disposition"));
    List<String> lines = csv.body().lines().toList();
    assertEquals(
        "id,occurred_at,actor_type,actor_id,org_id,kind,subject,before,after,reason,request_id,"
            + "chain_seq,prev_hash,hash",
        lines.get(0));
    assertEquals(3, lines.size(), csv.body());
    assertTrue(lines.get(1).contains(",\"'=HYPERLINK(\"\"x\"\")\","), lines.get(1));
    assertTrue(lines.get(2).contains(",admin,root,ann,credit.granted,"), lines.get(2));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      ?actor_type=robot      | actor_type
      ?limit=0               | limit
      ?limit=1001            | limit
      ?before_id=x           | before_id
      ?from=yesterday        | from
      ?from=2026-03-12&to=2026-03-11 | to
      ?format=xml            | format
      ?kind=                 | kind
      """)
  void badParametersAreRefusedNamingThem(String query, String field) {
    Answer answer = billing.call(HttpMethod.GET, "/admin/audit" + query, admin("root"));
    assertEquals(400, answer.status());
    assertEquals(field, answer.errorField());
  }

  @Test
  void onlyThePlatformAdminReadsOrVerifiesTheTrail() {
    assertEquals(403, billing.call(HttpMethod.GET, "/admin/audit", user("ann")).status());
    assertEquals(403, billing.call(HttpMethod.GET, "/admin/audit/verify", user("ann")).status());
    assertEquals(200, billing.call(HttpMethod.GET, "/admin/audit/verify", admin("x")).status());
  }

  /** Each admin route that changes money: 400 naming reason without one, nothing changed. */
  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      POST  | /admin/credits          | {"user_id": "ann", "amount": 1}
      POST  | /admin/invoices         | {"user_id": "ann", "period_start": "2026-03-01", "period_end": "2026-03-02"}
      PATCH | /admin/invoices/1       | {"status": "void"}
      POST  | /admin/users/ann/unlock | {}
      PUT   | /subscription           | {"user_id": "ann", "plan_id": "pro"}
      POST  | /admin/credits          | {"user_id": "ann", "amount": 1, "reason": " "}
      """)
  void anAdminChangeWithoutAReasonIsRefusedAndChangesNothing(
      String method, String path, String body) {
    Map<String, String> before = tableContents();

    Answer answer = billing.call(HttpMethod.valueOf(method), path, admin("root"), body);

    assertEquals(400, answer.status(), answer.body().toString());
    assertEquals("reason", answer.errorField());
    assertEquals(before, tableContents());
  }

  /**
   * Issue 51: a reason with no letter or digit (a zero-width space, an invisible separator, only
   * punctuation) says nothing, and every route that requires one refuses it as a blank one.
   */
  @ParameterizedTest(name = "{0} {1} {2}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      POST  | /admin/credits          | {"user_id": "ann", "amount": 1, "reason": "\\u200B"}
      POST  | /admin/credits          | {"user_id": "ann", "amount": 1, "reason": "... -- !?"}
      POST  | /admin/invoices         | {"user_id": "ann", "period_start": "2026-03-01", "period_end": "2026-03-02", "reason": "\\u2063\\u00A0"}
      PATCH | /admin/invoices/1       | {"status": "void", "reason": "\\u200B\\u200B"}
      PATCH | /admin/invoices/1       | {"status": "void", "note": "\\uFEFF"}
      POST  | /admin/users/ann/unlock | {"reason": "***"}
      PUT   | /subscription           | {"user_id": "ann", "plan_id": "pro", "reason": "\\u200B"}
      POST  | /jobs/check-quotas      | {"reason": "\\u3000."}
      """)
  void aReasonWithNoLetterOrDigitIsRefusedLikeABlankOneAndChangesNothing(
      String method, String path, String body) {
    Map<String, String> before = tableContents();

    Answer answer = billing.call(HttpMethod.valueOf(method), path, admin("root"), body);

    assertEquals(400, answer.status(), answer.body().toString());
    assertEquals("reason", answer.errorField());
    assertEquals(before, tableContents());
  }

  /**
   * Issue 51: {@code note} is the reason's former name only where a route declares it (the
   * unlock and the invoice PATCH); a credit grant given a note and no reason is refused.
   */
  @Test
  void aNoteIsNoReasonOnARouteThatDoesNotDeclareIt() {
    Map<String, String> before = tableContents();

    Answer answer =
        billing.call(
            HttpMethod.POST,
            "/admin/credits",
            admin("root"),
            "{\"user_id\": \"ann\", \"amount\": 1, \"note\": \"a goodwill credit\"}");

    assertEquals(400, answer.status(), answer.body().toString());
    assertEquals("reason", answer.errorField());
    assertEquals(before, tableContents());
  }
}
