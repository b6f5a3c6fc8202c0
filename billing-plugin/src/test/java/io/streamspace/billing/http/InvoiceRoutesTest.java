package io.streamspace.billing.http;

import static io.streamspace.billing.support.BillingHarness.admin;
import static io.streamspace.billing.support.BillingHarness.at;
import static io.streamspace.billing.support.BillingHarness.user;
import static io.streamspace.billing.support.InvoiceFixtures.invoice;
import static io.streamspace.billing.support.InvoiceFixtures.line;
import static io.streamspace.billing.support.InvoiceFixtures.usageLine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamspace.billing.support.BillingHarness;
import io.streamspace.billing.support.BillingHarness.Answer;
import io.streamspace.plugin.api.http.Caller;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.http.HttpResponse;
import java.io.IOException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.cos.COSName;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDResources;
import org.apache.pdfbox.pdmodel.font.PDFont;
import org.apache.pdfbox.text.PDFTextStripper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code GET /invoices}, {@code /invoices/{id}} and {@code /invoices/{id}/pdf}. */
class InvoiceRoutesTest {

  private final BillingHarness billing = new BillingHarness(at("2026-03-10T12:00:00Z"));
  private long february;

  @BeforeEach
  void ann() {
    billing.userCreated("ann", Map.of());
    billing.userCreated("bob", Map.of());
    billing.flush();
    february =
        invoice(
            "ann",
            "2026-02-01T00:00:00Z",
            "2026-03-01T00:00:00Z",
            "sent",
            "INV-2026-000042",
            "USD",
            "31.39",
            "5",
            "26.39",
            "2026-03-15T01:00:00Z",
            null);
    line(february, 1, "plan_fee", "Professional plan, February 2026", "29.99");
    usageLine(
        february,
        2,
        "usage",
        "cpu usage",
        "cpu",
        "20",
        "core-hours",
        "0.05",
        "1.00",
        "2026-02-01T00:00:00Z",
        "2026-03-01T00:00:00Z");
    usageLine(
        february,
        3,
        "usage",
        "memory usage",
        "memory",
        "40",
        "gb-hours",
        "0.01",
        "0.40",
        "2026-02-01T00:00:00Z",
        "2026-03-01T00:00:00Z");
    line(february, 4, "credit", "Credit: outage on 2026-02-09", "-5.00");
  }

  @AfterEach
  void unload() {
    billing.close();
  }

  @Test
  void anInvoiceShowsWithItsLinesInOrder() {
    Answer answer = billing.call(HttpMethod.GET, "/invoices/" + february, user("ann"));

    assertEquals(200, answer.status());
    assertEquals(
        """
        {"id":%d,"user_id":"ann","invoice_number":"INV-2026-000042",\
        "period_start":"2026-02-01T00:00:00Z","period_end":"2026-03-01T00:00:00Z",\
        "status":"sent","currency":"USD","subtotal":31.39,"credits_applied":5.00,\
        "balance_applied":0.00,\
        "total":26.39,"credited":0.00,"amount_due":26.39,\
        "due_date":"2026-03-15T01:00:00Z","paid_at":null,"tax":null,\
        "total_excluding_tax":null,"total_including_tax":null,"tax_status":"not_calculated",\
        "lines":[\
        {"line_no":1,"kind":"plan_fee","description":"Professional plan, February 2026",\
        "resource_type":null,"quantity":null,"unit":null,"unit_price":null,"amount":29.99,\
        "period_start":null,"period_end":null},\
        {"line_no":2,"kind":"usage","description":"cpu usage","resource_type":"cpu",\
        "quantity":20,"unit":"core-hours","unit_price":0.05,"amount":1.00,\
        "period_start":"2026-02-01T00:00:00Z","period_end":"2026-03-01T00:00:00Z"},\
        {"line_no":3,"kind":"usage","description":"memory usage","resource_type":"memory",\
        "quantity":40,"unit":"gb-hours","unit_price":0.01,"amount":0.40,\
        "period_start":"2026-02-01T00:00:00Z","period_end":"2026-03-01T00:00:00Z"},\
        {"line_no":4,"kind":"credit","description":"Credit: outage on 2026-02-09",\
        "resource_type":null,"quantity":null,"unit":null,"unit_price":null,"amount":-5.00,\
        "period_start":null,"period_end":null}],"tax_lines":[],"credit_notes":[]}"""
            .formatted(february),
        answer.body().toString());
  }

  @Test
  void anotherUsersInvoiceIsNotFoundExactlyLikeAMissingOneButAdminsSeeIt() {
    Answer bobs = billing.call(HttpMethod.GET, "/invoices/" + february, user("bob"));
    Answer missing = billing.call(HttpMethod.GET, "/invoices/999999", user("bob"));
    Answer garbage = billing.call(HttpMethod.GET, "/invoices/abc", user("bob"));
    Answer bobsPdf = billing.call(HttpMethod.GET, "/invoices/" + february + "/pdf", user("bob"));

    assertEquals(404, bobs.status());
    assertEquals(404, missing.status());
    assertEquals(404, garbage.status());
    assertEquals(404, bobsPdf.status());
    assertEquals(
        missing.body().toString().replace("999999", String.valueOf(february)),
        bobs.body().toString());
    assertEquals(
        200, billing.call(HttpMethod.GET, "/invoices/" + february, admin("root")).status());
    assertEquals(
        401, billing.call(HttpMethod.GET, "/invoices/" + february, Caller.ANONYMOUS).status());
  }

  @Test
  void aDraftHasNoNumberAndNoLinesYet() {
    long draft =
        invoice(
            "ann",
            "2026-03-01T00:00:00Z",
            "2026-04-01T00:00:00Z",
            "draft",
            null,
            "USD",
            "0",
            "0",
            "0",
            null,
            null);

    JsonNode body = billing.call(HttpMethod.GET, "/invoices/" + draft, user("ann")).body();

    assertEquals("draft", body.get("status").asText());
    assertTrue(body.get("invoice_number").isNull());
    assertEquals("[]", body.get("lines").toString());
    assertEquals("0.00", body.get("total").toString());
  }

  /** 25 monthly invoices: newest first, 20 a page by default, then the other 5. */
  @Test
  void theListIsNewestFirstAndPaginated() {
    LocalDate start = LocalDate.parse("2024-01-01");
    for (int i = 0; i < 24; i++) {
      LocalDate month = start.plusMonths(i);
      invoice(
          "ann",
          month.atStartOfDay(ZoneOffset.UTC).toInstant().toString(),
          month.plusMonths(1).atStartOfDay(ZoneOffset.UTC).toInstant().toString(),
          "paid",
          "INV-" + month.getYear() + "-" + (1000 + i),
          "USD",
          "1",
          "0",
          "1",
          "2026-01-01T00:00:00Z",
          "2026-01-02T00:00:00Z");
    }
    invoice(
        "bob",
        "2026-01-01T00:00:00Z",
        "2026-02-01T00:00:00Z",
        "sent",
        "INV-2026-000041",
        "USD",
        "1",
        "0",
        "1",
        "2026-02-15T00:00:00Z",
        null);

    JsonNode first = billing.call(HttpMethod.GET, "/invoices", user("ann")).body();
    JsonNode second = billing.call(HttpMethod.GET, "/invoices?offset=20", user("ann")).body();
    JsonNode middle =
        billing.call(HttpMethod.GET, "/invoices?limit=2&offset=1", user("ann")).body();

    assertEquals(20, first.get("invoices").size());
    assertEquals("INV-2026-000042", first.at("/invoices/0/invoice_number").asText());
    assertEquals("2026-02-01T00:00:00Z", first.at("/invoices/0/period_start").asText());
    assertEquals("2025-12-01T00:00:00Z", first.at("/invoices/1/period_start").asText());
    assertEquals(20, first.get("next_offset").asInt());
    assertEquals(5, second.get("invoices").size());
    assertEquals("2024-01-01T00:00:00Z", second.at("/invoices/4/period_start").asText());
    assertTrue(second.get("next_offset").isNull());
    assertEquals(
        List.of("2025-12-01T00:00:00Z", "2025-11-01T00:00:00Z"),
        middle.get("invoices").findValues("period_start").stream().map(JsonNode::asText).toList());
    assertEquals(3, middle.get("next_offset").asInt());
    assertFalse(first.toString().contains("INV-2026-000041"), "bob's invoice is not listed");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "limit=0, limit",
    "limit=101, limit",
    "limit=ten, limit",
    "offset=-1, offset",
    "offset=1.5, offset"
  })
  void badPageParametersAreRefusedNamingTheField(String query, String field) {
    Answer answer = billing.call(HttpMethod.GET, "/invoices?" + query, user("ann"));

    assertEquals(400, answer.status());
    assertEquals(field, answer.errorField());
  }

  @Test
  void theListIsOwnUnlessAdmin() {
    assertEquals(403, billing.call(HttpMethod.GET, "/invoices?user_id=ann", user("bob")).status());
    assertEquals(
        1,
        billing
            .call(HttpMethod.GET, "/invoices?user_id=ann", admin("root"))
            .body()
            .get("invoices")
            .size());
    assertEquals(
        404, billing.call(HttpMethod.GET, "/invoices?user_id=nobody", admin("root")).status());
    assertEquals(401, billing.call(HttpMethod.GET, "/invoices", Caller.ANONYMOUS).status());
  }

  @Test
  void thePdfShowsTheAccountPeriodNumberLinesCreditsAndTotals() throws IOException {
    HttpResponse response =
        billing
            .context
            .routes()
            .call(HttpMethod.GET, "/invoices/" + february + "/pdf", user("ann"));

    assertEquals(200, response.status());
    assertEquals("application/pdf", response.contentType());
    assertEquals(
        "attachment; filename=\"INV-2026-000042.pdf\"",
        response.headers().get("Content-Disposition"));
    String text = text(response.body());
    for (String expected :
        List.of(
            "Invoice INV-2026-000042",
            "ann <ann@example.com>",
            "2026-02-01 00:00 to 2026-03-01 00:00 (UTC)",
            "Status: sent",
            "Due date: 2026-03-15",
            "Professional plan, February 2026 29.99",
            "cpu usage 20 core-hours 0.05 1.00",
            "memory usage 40 gb-hours 0.01 0.40",
            "Credit: outage on 2026-02-09 -5.00",
            "Subtotal 31.39 USD",
            "Credits applied -5.00 USD",
            "Total 26.39 USD")) {
      assertTrue(text.contains(expected), "missing \"" + expected + "\" in:\n" + text);
    }
  }

  @Test
  void aDraftPdfSaysDraft() throws IOException {
    long draft =
        invoice(
            "ann",
            "2026-03-01T00:00:00Z",
            "2026-04-01T00:00:00Z",
            "draft",
            null,
            "USD",
            "0",
            "0",
            "0",
            null,
            null);

    HttpResponse response =
        billing.context.routes().call(HttpMethod.GET, "/invoices/" + draft + "/pdf", user("ann"));

    assertEquals(
        "attachment; filename=\"DRAFT-" + draft + ".pdf\"",
        response.headers().get("Content-Disposition"));
    String text = text(response.body());
    assertTrue(text.contains("Invoice DRAFT"), text);
    assertTrue(text.contains("Due date: -"), text);
  }

  @Test
  void longDescriptionsWrapVietnamesePrintsAndLettersTheFontLacksBecomeQuestionMarks()
      throws IOException {
    long sent =
        invoice(
            "ann",
            "2026-03-01T00:00:00Z",
            "2026-04-01T00:00:00Z",
            "sent",
            "INV-2026-000009",
            "VND",
            "125000",
            "0",
            "125000",
            "2026-04-15T01:00:00Z",
            null);
    line(
        sent,
        1,
        "plan_fee",
        "Gói chuyên nghiệp 专业: a rather long plan description that cannot"
            + " possibly fit into the description column of one line",
        "125000");

    String text =
        text(
            billing
                .context
                .routes()
                .call(HttpMethod.GET, "/invoices/" + sent + "/pdf", user("ann"))
                .body());

    assertTrue(text.contains("Gói chuyên nghiệp ??:"), "DejaVu has no Chinese: " + text);
    assertTrue(text.contains("of one line"), text);
    assertTrue(text.contains("Total 125000 VND"), text);
  }

  @Test
  void thePdfEmbedsEveryFontItUses() throws IOException {
    byte[] pdf =
        billing
            .context
            .routes()
            .call(HttpMethod.GET, "/invoices/" + february + "/pdf", user("ann"))
            .body();

    try (PDDocument document = Loader.loadPDF(pdf)) {
      PDResources resources = document.getPage(0).getResources();
      List<String> fonts = new ArrayList<>();
      for (COSName name : resources.getFontNames()) {
        PDFont font = resources.getFont(name);
        assertTrue(font.isEmbedded(), font.getName() + " is not embedded");
        fonts.add(font.getName());
      }
      assertEquals(2, fonts.size(), "regular and bold: " + fonts);
    }
  }

  private static String text(byte[] pdf) throws IOException {
    try (PDDocument document = Loader.loadPDF(pdf)) {
      return new PDFTextStripper().getText(document);
    }
  }
}
